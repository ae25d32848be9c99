/* A pseudo-terminal pair for console tests: the master fd, with the slave's path written into
   `name`. Returns -1 (errno set) on failure. */
#ifndef CPSEUDOTERMINAL_H
#define CPSEUDOTERMINAL_H
#include <stddef.h>
int cpty_open_master(char *name, size_t length);
#endif
