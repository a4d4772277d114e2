/* source.h — the bytes of one input file, its line map, and positions.
 * Every span in falco-lint is a byte range into one source; line and column
 * are derived only when a diagnostic is reported. */
#ifndef FL_SOURCE_H
#define FL_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"

/* One byte position in one source. */
typedef struct fl_pos {
	uint32_t src, off;
} fl_pos;

typedef struct fl_source fl_source;
struct fl_source {
	uint32_t id;          /* index in the session's source table */
	const char *path;     /* as the user named it; "-" for stdin */
	const char *data;     /* file bytes, NUL-terminated copy (arena) */
	size_t len;
	uint32_t *lines;      /* byte offset of each line start */
	uint32_t nlines;
	int context;          /* loaded with -r: diagnostics are not reported */
	int embedded;         /* text embedded in another file (helm values) */
	int failed;           /* unreadable or not YAML: nothing was loaded */
	int aux;              /* not a rules file (a Helm values file) */
	/* Text embedded in another source (a Helm customRules entry): every
	 * byte's position in `parent`, so diagnostics point into that file. */
	const fl_source *parent;
	const fl_pos *parent_pos;  /* len + 1 entries */
};

/* A byte range [start, end) of source `src`. */
typedef struct fl_span {
	uint32_t src, start, end;
} fl_span;

/* Text assembled from YAML scalars (a condition after appends, an output),
 * with the file position of every byte: pos[i] is where s[i] came from and
 * pos[len] the position just past the last byte. */
typedef struct fl_text {
	const char *s;
	uint32_t len;
	const fl_pos *pos;
} fl_text;

/* Builds the line map of `data` (copied into the arena). NULL on OOM. */
fl_source *fl_source_new(fl_arena *a, uint32_t id, const char *path,
			 const char *data, size_t len);
/* 1-based line and column (in UTF-8 code points) of byte offset `off`. */
void fl_source_linecol(const fl_source *s, uint32_t off, unsigned *line,
		       unsigned *col);

/* The last position converted by fl_source_linecol_near(); zero it first. */
typedef struct fl_linecol_hint {
	const fl_source *src;
	uint32_t off;
	unsigned line, col;   /* line 0: nothing converted yet */
} fl_linecol_hint;

/* fl_source_linecol(), counting the column on from *h when `off` lies on
 * h's line at or after it (offsets in increasing order stay linear on a
 * long line); updates *h. */
void fl_source_linecol_near(const fl_source *s, fl_linecol_hint *h, uint32_t off,
			    unsigned *line, unsigned *col);
/* Start and length (without the newline) of 1-based `line`; NULL if none. */
const char *fl_source_line(const fl_source *s, unsigned line, size_t *len);

/* Span covering text bytes [from, to) — the positions of the first and last
 * byte; if they lie in different sources the span stops at the first's end. */
fl_span fl_text_span(const fl_text *t, uint32_t from, uint32_t to);

/* Builds a text from a C string whose bytes all map to `at` (synthetic text,
 * e.g. a joining space). */
int fl_text_append(fl_arena *a, fl_text *t, const char *s, uint32_t len,
		   const fl_pos *pos);

#endif
