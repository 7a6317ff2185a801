#include <ctype.h>
#include "count.h"

void count_text(const char *buf, size_t len, size_t *words, size_t *lines) {
    size_t w = 0, l = 0;
    int in_word = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)buf[i];
        if (c == '\n') l++;
        if (isspace(c)) {
            in_word = 0;
        } else if (!in_word) {
            in_word = 1;
            w++;
        }
    }
    *words = w;
    *lines = l;
}
