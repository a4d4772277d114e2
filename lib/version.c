/* version.c — Falco releases, engine versions and feature gates (data in
 * versions.def).  Also implements the two version functions of the public
 * header: fl_engine_version_of() and fl_newest_falco(). */
#include "version.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "falcolint.h"

#define V(a, b, c) {(a), (b), (c)}
#define UNRELEASED {~0u, ~0u, ~0u}

static const fl_release releases[] = {
#define FL_RELEASE(falco, engine, libs, cont) {falco, engine, libs, cont},
#include "versions.def"
#undef FL_RELEASE
};
#define NRELEASES (sizeof releases / sizeof releases[0])

static const struct {
	const char *name;
	fl_version falco;
} features[FL_NFEATURES] = {
#define FL_FEATURE(id, name, falco) {name, falco},
#include "versions.def"
#undef FL_FEATURE
};

#undef V
#undef UNRELEASED

/* Reads one decimal number; rejects overflow so "99999999999.0.0" is not
 * silently wrapped into a real-looking version. */
static int read_num(const char **p, const char *end, unsigned *out)
{
	unsigned long v = 0;
	const char *s = *p;
	if (s == end || *s < '0' || *s > '9')
		return -1;
	while (s < end && *s >= '0' && *s <= '9') {
		v = v * 10 + (unsigned long)(*s - '0');
		if (v > UINT_MAX)
			return -1;
		s++;
	}
	*p = s;
	*out = (unsigned)v;
	return 0;
}

int fl_version_parse(const char *s, size_t len, fl_version *out)
{
	const char *p = s, *end = s + len;
	fl_version v;
	if (!s || !out)
		return FL_EUSAGE;
	if (read_num(&p, end, &v.major) || p == end || *p++ != '.' ||
	    read_num(&p, end, &v.minor) || p == end || *p++ != '.' ||
	    read_num(&p, end, &v.patch) || p != end)
		return FL_EUSAGE;
	*out = v;
	return 0;
}

/* The integer form as yaml-cpp decodes an unsigned int: optional '+',
 * decimal, 0x/0X hex or leading-0 octal, nothing after the digits. */
static int parse_engine_int(const char *s, size_t len, unsigned *out)
{
	const char *p = s, *end = s + len;
	unsigned base = 10;
	unsigned long v = 0;
	if (p < end && *p == '+')
		p++;
	if (p == end)
		return -1;
	if (end - p > 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	} else if (end - p > 1 && p[0] == '0') {
		base = 8;
		p++;
	}
	for (; p < end; p++) {
		unsigned d;
		if (*p >= '0' && *p <= '9')
			d = (unsigned)(*p - '0');
		else if (*p >= 'a' && *p <= 'f')
			d = (unsigned)(*p - 'a' + 10);
		else if (*p >= 'A' && *p <= 'F')
			d = (unsigned)(*p - 'A' + 10);
		else
			return -1;
		if (d >= base)
			return -1;
		v = v * base + d;
		if (v > UINT_MAX)
			return -1;
	}
	*out = (unsigned)v;
	return 0;
}

int fl_engine_version_parse(const char *s, size_t len, fl_version *out)
{
	unsigned n;
	const char *p, *end;
	fl_version v;
	if (!s || !out)
		return FL_EUSAGE;
	if (parse_engine_int(s, len, &n) == 0) {
		*out = FL_VERSION_MAKE(0, n, 0);
		return 0;
	}
	/* sscanf("%u.%u.%u") semantics: leading blanks skipped, the rest of
	 * the string after the third number is not looked at. */
	p = s;
	end = s + len;
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	if (read_num(&p, end, &v.major) || p == end || *p++ != '.' ||
	    read_num(&p, end, &v.minor) || p == end || *p++ != '.' ||
	    read_num(&p, end, &v.patch))
		return FL_EUSAGE;
	*out = v;
	return 0;
}

int fl_version_cmp(fl_version a, fl_version b)
{
	if (a.major != b.major)
		return a.major < b.major ? -1 : 1;
	if (a.minor != b.minor)
		return a.minor < b.minor ? -1 : 1;
	if (a.patch != b.patch)
		return a.patch < b.patch ? -1 : 1;
	return 0;
}

char *fl_version_str(fl_version v, char *buf, size_t n)
{
	if (!buf || n == 0)
		return buf;
	if (fl_version_cmp(v, FL_VERSION_UNRELEASED) == 0)
		snprintf(buf, n, "unreleased");
	else
		snprintf(buf, n, "%u.%u.%u", v.major, v.minor, v.patch);
	return buf;
}

int fl_engine_compatible(fl_version engine, fl_version required)
{
	return engine.major == required.major &&
	       fl_version_cmp(engine, required) >= 0;
}

size_t fl_release_count(void)
{
	return NRELEASES;
}

const fl_release *fl_release_at(size_t i)
{
	return i < NRELEASES ? &releases[i] : NULL;
}

const fl_release *fl_release_find(fl_version falco)
{
	size_t lo = 0, hi = NRELEASES;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = fl_version_cmp(releases[mid].falco, falco);
		if (c == 0)
			return &releases[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const fl_release *fl_release_for(fl_version falco, int *exact)
{
	const fl_release *r = fl_release_find(falco), *best = NULL;
	size_t i;
	if (exact)
		*exact = r != NULL;
	if (r)
		return r;
	for (i = 0; i < NRELEASES; i++) {
		const fl_release *c = &releases[i];
		if (c->falco.major == falco.major &&
		    c->falco.minor == falco.minor &&
		    fl_version_cmp(c->falco, falco) < 0)
			best = c;
	}
	return best;
}

const fl_release *fl_release_newest(void)
{
	return &releases[NRELEASES - 1];
}

const fl_release *fl_release_for_engine(fl_version required)
{
	size_t i;
	for (i = 0; i < NRELEASES; i++)
		if (fl_engine_compatible(releases[i].engine, required))
			return &releases[i];
	return NULL;
}

fl_version fl_feature_min_falco(fl_feature f)
{
	if ((unsigned)f >= FL_NFEATURES)
		return FL_VERSION_UNRELEASED;
	return features[f].falco;
}

int fl_feature_supported(fl_feature f, fl_version target)
{
	return fl_version_cmp(target, fl_feature_min_falco(f)) >= 0;
}

const char *fl_feature_name(fl_feature f)
{
	return (unsigned)f < FL_NFEATURES ? features[f].name : NULL;
}

int fl_feature_lookup(const char *name)
{
	int i;
	if (!name)
		return -1;
	for (i = 0; i < FL_NFEATURES; i++)
		if (strcmp(features[i].name, name) == 0)
			return i;
	return -1;
}

/* ---- public API (falcolint.h) ------------------------------------------ */

/* The same tables as strings, expanded at compile time so the public API
 * can hand out static strings without lazy (thread-unsafe) formatting. */
#define V(a, b, c) #a "." #b "." #c
static const char *const engine_strs[] = {
#define FL_RELEASE(falco, engine, libs, cont) engine,
#include "versions.def"
#undef FL_RELEASE
};
static const char *const falco_strs[] = {
#define FL_RELEASE(falco, engine, libs, cont) falco,
#include "versions.def"
#undef FL_RELEASE
};
#undef V

const char *fl_engine_version_of(const char *falco)
{
	fl_version v;
	const fl_release *r;
	size_t i;
	if (!falco || fl_version_parse(falco, strlen(falco), &v))
		return NULL;
	r = fl_release_for(v, NULL);
	if (!r)
		return NULL;
	i = (size_t)(r - releases);
	return engine_strs[i];
}

const char *fl_newest_falco(void)
{
	return falco_strs[NRELEASES - 1];
}
