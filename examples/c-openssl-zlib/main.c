/*
 * packsum: reads the text installed beside it (share/packsum/greeting.txt under the install prefix), or its
 * arguments, and prints its SHA-256, CRC-32 and deflated size, computed by the shared library libpacksum_core
 * (installed into the prefix's lib/), which links OpenSSL's libcrypto and zlib: the program works only where
 * all three shared libraries and the installed data file are found.
 */
#include <stdio.h>
#include <unistd.h>
#include "core.h"

#ifndef DATA_FILE
#define DATA_FILE "/usr/local/share/packsum/greeting.txt"
#endif

int main(int argc, char **argv) {
    char text[4096];
    size_t len = 0;
    if (argc > 1) {
        for (int i = 1; i < argc && len < sizeof text - 1; i++) {
            int n = snprintf(text + len, sizeof text - len, "%s%s", i > 1 ? " " : "", argv[i]);
            if (n < 0) return 1;
            len += (size_t)n < sizeof text - len ? (size_t)n : sizeof text - len - 1;
        }
    } else {
        FILE *f = fopen(DATA_FILE, "rb");
        if (!f) {
            fprintf(stderr, "packsum: cannot read %s\n", DATA_FILE);
            return 2;
        }
        len = fread(text, 1, sizeof text - 1, f);
        fclose(f);
    }
    struct packsum sum;
    if (packsum_of(text, len, &sum) != 0) return 3;
    printf("c-openssl-zlib ok sha256=%s crc32=%08lx bytes=%zu deflated=%lu zlib=%s uid=%d\n", sum.sha256, sum.crc32, len, sum.deflated, packsum_zlib_version(), (int)getuid());
    return 0;
}
