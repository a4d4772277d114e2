/* hash.h — FNV-1a, the one hash behind falco-lint's open-addressing tables
 * (rule/macro/list names, YAML anchors, list-name index, field and
 * diagnostic caches).  Fast on the short keys these tables hold, and
 * deterministic, so a table's behaviour never depends on the run. */
#ifndef FL_HASH_H
#define FL_HASH_H

#include <stddef.h>
#include <stdint.h>

#define FL_HASH_INIT 1469598103934665603ull

/* h extended with bytes p[0..n); start from FL_HASH_INIT. */
static inline uint64_t fl_hash_bytes(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 1099511628211ull;
	return h;
}

/* h extended with the bytes of NUL-terminated s. */
static inline uint64_t fl_hash_str(uint64_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

#endif
