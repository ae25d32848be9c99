#define _GNU_SOURCE
#include "CPseudoTerminal.h"
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int cpty_open_master(char *name, size_t length) {
    int fd = posix_openpt(O_RDWR | O_NOCTTY);
    if (fd < 0) return -1;
    if (grantpt(fd) != 0 || unlockpt(fd) != 0 || ptsname_r(fd, name, length) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}
