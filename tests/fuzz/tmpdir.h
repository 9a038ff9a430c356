/* Where the file-based fuzz targets keep the file each input is written to:
 * a private directory made by mkdtemp(3) under $TMPDIR, else /dev/shm, else
 * /tmp. Why /dev/shm first: rewriting one file thousands of times a second on
 * ext4 (O_TRUNC, then close) makes the kernel flush it to disk each time
 * (auto_da_alloc), which costs more than the whole test; tmpfs does not. */
#ifndef PW_FUZZ_TMPDIR_H
#define PW_FUZZ_TMPDIR_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#define PATH_LEN 512

/* Make the directory "<base>/<prefix>.XXXXXX" (mkdtemp) and put its path in buf;
 * the target cannot run without it: exit on failure. */
static inline void pw_fuzz_tmpdir(char *buf, size_t len, const char *prefix)
{
    const char *base = getenv("TMPDIR");
    struct stat sb;
    if (!base || !*base)
        base = stat("/dev/shm", &sb) == 0 && S_ISDIR(sb.st_mode) ? "/dev/shm" : "/tmp";
    snprintf(buf, len, "%s/%s.XXXXXX", base, prefix);
    if (!mkdtemp(buf)) {
        fprintf(stderr, "%s: cannot make a directory %s\n", prefix, buf);
        exit(1);
    }
}

#endif
