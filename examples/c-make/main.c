/* wordfreq: counts the words and lines of its arguments (or of a built-in sample) and reports. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "count.h"

static const char sample[] =
    "Small images build faster,\n"
    "ship faster and carry fewer things to patch.\n";

int main(int argc, char **argv) {
    size_t words = 0, lines = 0, w, l;
    if (argc > 1) {
        for (int i = 1; i < argc; i++) {
            count_text(argv[i], strlen(argv[i]), &w, &l);
            words += w;
            lines += l;
        }
    } else {
        count_text(sample, sizeof sample - 1, &words, &lines);
    }
    printf("c-make ok words=%zu lines=%zu uid=%d\n", words, lines, (int)getuid());
    return 0;
}
