/* fuzz.h — the one entry point every harness in tests/fuzz/ defines.  The
 * same harness source links either with libFuzzer (make fuzz) or with
 * replay.c (make check), which feeds it the saved regression inputs. */
#ifndef FL_FUZZ_H
#define FL_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* Runs one input through the code under test; always returns 0.  A crash,
 * a sanitizer report or a hang is the failure signal. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
