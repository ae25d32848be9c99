/* The DAHDI user-space API as Swift can use it: ioctl request codes (which Swift cannot import
   as macros) exported as constants, and one prefixed wrapper per request. The hardware backend
   issue grows this; the foundation only proves it compiles against Debian's dahdi-source. */
#ifndef CDAHDI_H
#define CDAHDI_H

#include <stdint.h>

extern const unsigned long CDahdi_SPECIFY;
extern const unsigned long CDahdi_SET_BLOCKSIZE;
extern const unsigned long CDahdi_SETLINEAR;
extern const unsigned long CDahdi_HOOK;
extern const unsigned long CDahdi_GETEVENT;

extern const int CDahdi_HOOK_ONHOOK;
extern const int CDahdi_HOOK_OFFHOOK;
extern const int CDahdi_HOOK_FLASH;

extern const int CDahdi_EVENT_ONHOOK;
extern const int CDahdi_EVENT_RINGOFFHOOK;
extern const int CDahdi_EVENT_ALARM;
extern const int CDahdi_EVENT_NOALARM;
extern const int CDahdi_EVENT_POLARITY;
extern const int CDahdi_EVENT_RINGBEGIN;

/* errno a read or write on a channel fails with when an event is waiting. */
extern const int CDahdi_ELAST;

int CDahdi_specify(int fd, int channel);
int CDahdi_set_blocksize(int fd, int samples);
int CDahdi_set_linear(int fd, int linear);
int CDahdi_hook(int fd, int op);
int CDahdi_get_event(int fd, int *event);

#endif
