#ifndef CGZIP_SHIM_H
#define CGZIP_SHIM_H
#include <zlib.h>
#endif
