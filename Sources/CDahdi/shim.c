#include "CDahdi.h"
#include <errno.h>
#include <sys/ioctl.h>
#include <dahdi/user.h>

/* The request codes are fixed by the kernel ABI: fail the build if the header ever disagrees
   with what the x86-64 and arm64 drivers expect. */
_Static_assert(DAHDI_SPECIFY == 0x4004DA26, "DAHDI_SPECIFY");
_Static_assert(DAHDI_HOOK == 0x4004DA07, "DAHDI_HOOK");
_Static_assert(DAHDI_GETEVENT == 0x8004DA08, "DAHDI_GETEVENT");
_Static_assert(sizeof(int) == 4, "DAHDI ioctls take 32-bit ints");

const unsigned long CDahdi_SPECIFY = DAHDI_SPECIFY;
const unsigned long CDahdi_SET_BLOCKSIZE = DAHDI_SET_BLOCKSIZE;
const unsigned long CDahdi_SETLINEAR = DAHDI_SETLINEAR;
const unsigned long CDahdi_HOOK = DAHDI_HOOK;
const unsigned long CDahdi_GETEVENT = DAHDI_GETEVENT;

const int CDahdi_HOOK_ONHOOK = DAHDI_ONHOOK;
const int CDahdi_HOOK_OFFHOOK = DAHDI_OFFHOOK;
const int CDahdi_HOOK_FLASH = DAHDI_FLASH;
const int CDahdi_HOOK_RING = DAHDI_RING;
const int CDahdi_HOOK_RINGOFF = DAHDI_RINGOFF;

const int CDahdi_EVENT_ONHOOK = DAHDI_EVENT_ONHOOK;
const int CDahdi_EVENT_RINGOFFHOOK = DAHDI_EVENT_RINGOFFHOOK;
const int CDahdi_EVENT_ALARM = DAHDI_EVENT_ALARM;
const int CDahdi_EVENT_NOALARM = DAHDI_EVENT_NOALARM;
const int CDahdi_EVENT_POLARITY = DAHDI_EVENT_POLARITY;
const int CDahdi_EVENT_RINGBEGIN = DAHDI_EVENT_RINGBEGIN;
const int CDahdi_EVENT_RINGERON = DAHDI_EVENT_RINGERON;
const int CDahdi_EVENT_RINGEROFF = DAHDI_EVENT_RINGEROFF;
const int CDahdi_EVENT_HOOKCOMPLETE = DAHDI_EVENT_HOOKCOMPLETE;

const int CDahdi_ELAST = ELAST;

int CDahdi_specify(int fd, int channel) { return ioctl(fd, DAHDI_SPECIFY, &channel); }
int CDahdi_set_blocksize(int fd, int samples) { return ioctl(fd, DAHDI_SET_BLOCKSIZE, &samples); }
int CDahdi_set_linear(int fd, int linear) { return ioctl(fd, DAHDI_SETLINEAR, &linear); }
int CDahdi_hook(int fd, int op) { return ioctl(fd, DAHDI_HOOK, &op); }
int CDahdi_get_event(int fd, int *event) { return ioctl(fd, DAHDI_GETEVENT, event); }

int CDahdi_set_buffers(int fd, int count) {
    struct dahdi_bufferinfo info;
    if (ioctl(fd, DAHDI_GET_BUFINFO, &info) != 0) return -1;
    info.txbufpolicy = DAHDI_POLICY_IMMEDIATE;
    info.rxbufpolicy = DAHDI_POLICY_IMMEDIATE;
    info.numbufs = count;
    return ioctl(fd, DAHDI_SET_BUFINFO, &info);
}

int CDahdi_buffers_queued(int fd, int *readable, int *writable) {
    struct dahdi_bufferinfo info;
    if (ioctl(fd, DAHDI_GET_BUFINFO, &info) != 0) return -1;
    *readable = info.readbufs;
    *writable = info.writebufs;
    return 0;
}

int CDahdi_echo_cancel(int fd, int taps) {
    /* The request is the header followed by param_count parameters; none are set here. */
    struct dahdi_echocanparams params = { .tap_length = (unsigned int)taps, .param_count = 0 };
    return ioctl(fd, DAHDI_ECHOCANCEL_PARAMS, &params);
}
