/* packsum_core: SHA-256 (OpenSSL libcrypto), CRC-32 and deflated size (zlib) of a buffer. */
#ifndef PACKSUM_CORE_H
#define PACKSUM_CORE_H
#include <stddef.h>

struct packsum {
    char sha256[65];
    unsigned long crc32;
    unsigned long deflated;
};

/* 0 on success. */
int packsum_of(const char *text, size_t len, struct packsum *out);
const char *packsum_zlib_version(void);
#endif
