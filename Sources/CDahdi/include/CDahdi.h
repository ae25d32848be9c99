/* The DAHDI user-space API as Swift can use it: ioctl request codes (which Swift cannot import
   as macros) exported as constants, and one prefixed wrapper per request. */
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
/* The exchange's side (FXO signalling, the test exchange): ring the far end, stop ringing. */
extern const int CDahdi_HOOK_RING;
extern const int CDahdi_HOOK_RINGOFF;

extern const int CDahdi_EVENT_ONHOOK;
extern const int CDahdi_EVENT_RINGOFFHOOK;
extern const int CDahdi_EVENT_ALARM;
extern const int CDahdi_EVENT_NOALARM;
extern const int CDahdi_EVENT_POLARITY;
extern const int CDahdi_EVENT_RINGBEGIN;
extern const int CDahdi_EVENT_RINGERON;
extern const int CDahdi_EVENT_RINGEROFF;
extern const int CDahdi_EVENT_HOOKCOMPLETE;

/* errno a read or write on a channel fails with when an event is waiting. */
extern const int CDahdi_ELAST;

int CDahdi_specify(int fd, int channel);
int CDahdi_set_blocksize(int fd, int samples);
int CDahdi_set_linear(int fd, int linear);
int CDahdi_hook(int fd, int op);
int CDahdi_get_event(int fd, int *event);
/* Kernel buffering: `count` blocks each way, played and recorded immediately. */
int CDahdi_set_buffers(int fd, int count);
int CDahdi_buffers_queued(int fd, int *readable, int *writable);
/* The channel's echo canceller: `taps` samples, 0 turns it off (fax). Fails where none exists. */
int CDahdi_echo_cancel(int fd, int taps);

#endif
