/*
 * packsum: reads the text installed beside it (share/packsum/greeting.txt under the install prefix), or its
 * arguments, and prints its SHA-256 (OpenSSL libcrypto), its CRC-32 and its deflated size (zlib): the program
 * works only where both shared libraries and the installed data file are found.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <openssl/evp.h>
#include <zlib.h>

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

    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    if (!EVP_Digest(text, len, md, &mdlen, EVP_sha256(), NULL)) return 3;

    uLong crc = crc32(0L, (const Bytef *)text, (uInt)len);
    Bytef packed[8192];
    uLongf packedLen = sizeof packed;
    if (compress2(packed, &packedLen, (const Bytef *)text, (uLong)len, 9) != Z_OK) return 4;

    printf("c-openssl-zlib ok sha256=");
    for (unsigned int i = 0; i < mdlen; i++) printf("%02x", md[i]);
    printf(" crc32=%08lx bytes=%zu deflated=%lu zlib=%s uid=%d\n", crc, len, (unsigned long)packedLen, zlibVersion(), (int)getuid());
    return 0;
}
