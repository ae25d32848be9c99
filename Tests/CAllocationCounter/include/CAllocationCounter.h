/* Counts heap allocations made by the calling thread between start and stop, by interposing
   malloc and friends in the test executable and forwarding to glibc. Used to prove that the
   steady-state frame path allocates nothing. */
#ifndef CALLOCATIONCOUNTER_H
#define CALLOCATIONCOUNTER_H

void allocation_counter_start(void);
long allocation_counter_stop(void);

#endif
