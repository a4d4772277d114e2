/* fingerprint.c — finding fingerprints for SARIF and GitLab: a hash of what
 * identifies a finding independent of where it moved to (code, file, item,
 * message), plus its occurrence number among identical findings so that
 * every fingerprint in one report is unique. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "out.h"

static uint64_t fnv(uint64_t h, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		h ^= *p;
		h *= 0x100000001b3ull;
	}
	/* a separator, so that ("ab","c") and ("a","bc") differ */
	h ^= 0xff;
	h *= 0x100000001b3ull;
	return h;
}

static uint64_t base_hash(const fl_diag_view *v, uint64_t seed)
{
	const char *file = v->loc.file;
	while (file && file[0] == '.' && file[1] == '/')
		file += 2;
	uint64_t h = seed;
	h = fnv(h, v->code);
	h = fnv(h, file);
	h = fnv(h, v->item_kind);
	h = fnv(h, v->item_name);
	h = fnv(h, v->message);
	h = fnv(h, v->scenario);
	return fnv(h, v->variant);
}

char (*fingerprints(const fl_diag_view *const *d, size_t n))[33]
{
	char (*out)[33] = calloc(n + 1, sizeof(*out));
	size_t cap = 16;
	while (cap < 2 * n)
		cap *= 2;
	uint64_t *keys = calloc(cap, sizeof(uint64_t));
	unsigned *counts = calloc(cap, sizeof(unsigned));
	if (!out || !keys || !counts) {
		free(out);
		free(keys);
		free(counts);
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		uint64_t a = base_hash(d[i], 0xcbf29ce484222325ull);
		uint64_t k = a ? a : 1;  /* 0 marks an empty slot */
		size_t slot = (size_t)(k & (cap - 1));
		while (keys[slot] && keys[slot] != k)
			slot = (slot + 1) & (cap - 1);
		keys[slot] = k;
		unsigned occ = counts[slot]++;
		uint64_t b = base_hash(d[i], 0x84222325cbf29ce4ull);
		if (occ) {
			/* the n-th identical finding: still unique, still stable */
			char num[16];
			snprintf(num, sizeof num, "%u", occ);
			a = fnv(a, num);
			b = fnv(b, num);
		}
		snprintf(out[i], sizeof out[i], "%016llx%016llx", (unsigned long long)a,
			 (unsigned long long)b);
	}
	free(keys);
	free(counts);
	return out;
}
