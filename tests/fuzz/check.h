/* What the fuzz targets share: CHECK aborts (libFuzzer then reports the input) when an
 * invariant is broken, and pw_fuzz_write_file writes one input to a file. */
#ifndef PW_FUZZ_CHECK_H
#define PW_FUZZ_CHECK_H

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            pw_fuzz_broken(#cond, __FILE__, __LINE__);                                             \
    } while (0)

static inline void pw_fuzz_broken(const char *what, const char *file, int line)
{
    fprintf(stderr, "%s:%d: invariant broken: %s\n", file, line, what);
    abort();
}

static inline void pw_fuzz_write_file(const char *path, const void *data, size_t size)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, S_IRUSR | S_IWUSR);
    CHECK(fd >= 0);
    for (size_t done = 0; done < size;) {
        ssize_t n = write(fd, (const char *)data + done, size - done);
        CHECK(n > 0);
        done += (size_t)n;
    }
    CHECK(close(fd) == 0);
}

#endif
