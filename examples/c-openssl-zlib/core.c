#include <stdio.h>
#include <openssl/evp.h>
#include <zlib.h>
#include "core.h"

int packsum_of(const char *text, size_t len, struct packsum *out) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    if (!EVP_Digest(text, len, md, &mdlen, EVP_sha256(), NULL) || mdlen != 32) return 1;
    for (unsigned int i = 0; i < mdlen; i++) snprintf(out->sha256 + 2 * i, 3, "%02x", md[i]);
    out->crc32 = crc32(0L, (const Bytef *)text, (uInt)len);
    Bytef packed[8192];
    uLongf packedLen = sizeof packed;
    if (compress2(packed, &packedLen, (const Bytef *)text, (uLong)len, 9) != Z_OK) return 2;
    out->deflated = (unsigned long)packedLen;
    return 0;
}

const char *packsum_zlib_version(void) {
    return zlibVersion();
}
