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

const int CDahdi_EVENT_ONHOOK = DAHDI_EVENT_ONHOOK;
const int CDahdi_EVENT_RINGOFFHOOK = DAHDI_EVENT_RINGOFFHOOK;
const int CDahdi_EVENT_ALARM = DAHDI_EVENT_ALARM;
const int CDahdi_EVENT_NOALARM = DAHDI_EVENT_NOALARM;
const int CDahdi_EVENT_POLARITY = DAHDI_EVENT_POLARITY;
const int CDahdi_EVENT_RINGBEGIN = DAHDI_EVENT_RINGBEGIN;

const int CDahdi_ELAST = ELAST;

int CDahdi_specify(int fd, int channel) { return ioctl(fd, DAHDI_SPECIFY, &channel); }
int CDahdi_set_blocksize(int fd, int samples) { return ioctl(fd, DAHDI_SET_BLOCKSIZE, &samples); }
int CDahdi_set_linear(int fd, int linear) { return ioctl(fd, DAHDI_SETLINEAR, &linear); }
int CDahdi_hook(int fd, int op) { return ioctl(fd, DAHDI_HOOK, &op); }
int CDahdi_get_event(int fd, int *event) { return ioctl(fd, DAHDI_GETEVENT, event); }
