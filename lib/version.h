/* version.h — Falco release numbers, the engine version each release
 * reports, and the first release of every rules-format feature, so checks
 * can ask "does --target-falco support this?".  The data is compiled in
 * from lib/versions.def; nothing here allocates. */
#ifndef FL_VERSION_H
#define FL_VERSION_H

#include <stddef.h>

typedef struct fl_version {
	unsigned major, minor, patch;
} fl_version;

#define FL_VERSION_MAKE(a, b, c) ((fl_version){(a), (b), (c)})
/* Sorts after every real version: "only on Falco's development branch". */
#define FL_VERSION_UNRELEASED ((fl_version){~0u, ~0u, ~0u})

/* Parses exactly "MAJOR.MINOR.PATCH" (decimal, no sign, no trailing text)
 * from s[0..len) into *out.  Returns 0, or FL_EUSAGE when malformed. */
int fl_version_parse(const char *s, size_t len, fl_version *out);

/* Parses a required_engine_version value the way Falco >= 0.37 does: an
 * unsigned integer N (decimal, 0x hex or 0 octal) means 0.N.0; otherwise
 * three dot-separated numbers, trailing text ignored ("0.40.0-rc1").
 * Returns 0, or FL_EUSAGE when neither form matches. */
int fl_engine_version_parse(const char *s, size_t len, fl_version *out);

/* <0, 0, >0 as a is older than, equal to, newer than b. */
int fl_version_cmp(fl_version a, fl_version b);

/* Writes "M.m.p" (or "unreleased") into buf of size n; returns buf. */
char *fl_version_str(fl_version v, char *buf, size_t n);

/* Engine version check of the loader: an engine runs a file requiring
 * `required` when the major numbers agree and engine >= required. */
int fl_engine_compatible(fl_version engine, fl_version required);

/* One known Falco release. */
typedef struct fl_release {
	fl_version falco, engine;
	const char *libs;             /* "0.25.4", or "" (commit pin) */
	const char *container_plugin; /* bundled plugin version or "" */
} fl_release;

size_t fl_release_count(void);
const fl_release *fl_release_at(size_t i); /* oldest first; NULL past end */
/* The release `falco` exactly, or NULL. */
const fl_release *fl_release_find(fl_version falco);
/* The release whose data applies to `falco`: the exact one, or else the
 * newest known release of the same major.minor that is not newer (a later
 * patch release keeps its series' engine), or else NULL.  *exact is set
 * to 1 for an exact match, 0 otherwise (may be NULL). */
const fl_release *fl_release_for(fl_version falco, int *exact);
/* The newest known release. */
const fl_release *fl_release_newest(void);
/* The oldest known release whose engine satisfies `required` (see
 * fl_engine_compatible), or NULL when no release does. */
const fl_release *fl_release_for_engine(fl_version required);

/* Rules-format and condition-language features with a first release. */
typedef enum fl_feature {
#define FL_FEATURE(id, name, falco) FL_FEAT_##id,
#include "versions.def"
#undef FL_FEATURE
	FL_NFEATURES
} fl_feature;

/* First Falco release supporting `f` (FL_VERSION_UNRELEASED if none). */
fl_version fl_feature_min_falco(fl_feature f);
/* 1 when Falco `target` supports `f`. */
int fl_feature_supported(fl_feature f, fl_version target);
/* Kebab-case name of `f` ("override"), or NULL for an invalid value. */
const char *fl_feature_name(fl_feature f);
/* The feature called `name`, or -1. */
int fl_feature_lookup(const char *name);

#endif
