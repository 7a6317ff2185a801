#ifndef COUNT_H
#define COUNT_H
#include <stddef.h>

/* Counts words (runs of non-space characters) and lines in buf[0..len). */
void count_text(const char *buf, size_t len, size_t *words, size_t *lines);

#endif
