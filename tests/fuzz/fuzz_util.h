/* fuzz_util.h - what the libFuzzer targets of tests/fuzz share: a scratch
 * directory per process, files written into it, an input cut into parts,
 * and a check that aborts (so libFuzzer keeps the input) when a property
 * the target asserts does not hold. */
#ifndef FCAT_FUZZ_UTIL_H
#define FCAT_FUZZ_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The separator of the parts of one input ("\n%%\n"), in the seeds and in
 * the dictionaries too. */
#define FUZZ_SEP "\n%%\n"

/* The libFuzzer entry point every target defines. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A directory made at the first call and removed at exit (under $TMPDIR, or
 * /dev/shm when it exists, else /tmp); the same path for the whole run. */
const char *fuzz_dir(void);

/* Writes `len` bytes to fuzz_dir()/rel (parents created) and returns the
 * full path in a static buffer (valid until the next call). */
const char *fuzz_write(const char *rel, const void *data, size_t len);

/* One part of an input: a pointer into it and a length. */
typedef struct fuzz_part {
	const char *ptr;
	size_t len;
} fuzz_part;

/* Cuts `data` at each FUZZ_SEP into at most `max` parts (the last takes
 * the rest). Returns the number of parts (at least 1). */
size_t fuzz_split(fuzz_part *parts, size_t max, const uint8_t *data, size_t size);

/* A NUL-terminated copy of a part (malloc'd; aborts when out of memory). */
char *fuzz_strndup(const char *ptr, size_t len);

/* Aborts with the message when `ok` is false: a property of the target
 * failed, which libFuzzer reports as a crash with this input. */
#define fuzz_check(ok, ...) fuzz_check_at((ok), __FILE__, __LINE__, __VA_ARGS__)
void fuzz_check_at(bool ok, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
