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
	/* Line map, sampled: the offset of the start of every
	 * FL_LINE_STRIDE-th line (0-based line k * FL_LINE_STRIDE); the lines
	 * between are found with memchr (fl_source_line_start).  A map of
	 * every line was 0.1x the input, kept for the whole run. */
	uint32_t *line_marks;
	uint32_t nlines;
	int context;          /* loaded with -r: diagnostics are not reported */
	int embedded;         /* text embedded in another file (helm values) */
	int failed;           /* unreadable or not YAML: nothing was loaded */
	int aux;              /* not a rules file (a Helm values file) */
	/* Text embedded in another source (a Helm customRules entry): every
	 * byte's position in `parent`, so diagnostics point into that file. */
	const fl_source *parent;
	const struct fl_text *parent_text; /* byte i of data is at
				 * fl_text_pos(parent_text, i) in parent */
};

/* A byte range [start, end) of source `src`. */
typedef struct fl_span {
	uint32_t src, start, end;
} fl_span;

/* Where the bytes of a text came from, as runs: bytes from `at` up to the
 * next run's `at` sit at src:off, src:off+1, ... (linear) or all at src:off
 * (a byte that has no file byte of its own, like a joining space or the
 * items a list name expanded to).  A condition folded over three lines is
 * three runs, not a position per byte. */
typedef struct fl_run {
	uint32_t at;
	uint32_t off;
	uint32_t src : 31;
	uint32_t linear : 1;
} fl_run;

/* Text assembled from YAML scalars (a condition after appends, an output),
 * with the file position of every byte (fl_text_pos): byte i for i < len,
 * and i == len, the position just past the last byte.  runs is NULL when
 * the text has no positions; otherwise runs[0].at == 0. */
typedef struct fl_text {
	const char *s;
	uint32_t len;
	uint32_t nruns;
	const fl_run *runs;
} fl_text;

/* Position of byte i (0 <= i <= len) of t; {UINT32_MAX, 0} when t has no
 * positions. */
fl_pos fl_text_pos(const fl_text *t, uint32_t i);

/* Builds the line map of `data` (copied into the arena). NULL on OOM. */
fl_source *fl_source_new(fl_arena *a, uint32_t id, const char *path,
			 const char *data, size_t len);
/* Same, for data already in arena `a` and NUL-terminated at len: the
 * source keeps it as it is. */
fl_source *fl_source_adopt(fl_arena *a, uint32_t id, const char *path,
			   const char *data, size_t len);
#define FL_LINE_STRIDE 32u

/* Start of the line after the one holding offset `off`, or len when that
 * is the last line. */
uint32_t fl_source_next_line(const fl_source *s, uint32_t off);

/* Byte offset of the start of 0-based line `line` (< s->nlines). */
uint32_t fl_source_line_start(const fl_source *s, uint32_t line);

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

/* Removes leading and trailing blanks (" \t\r\n\f\v") from *t.  The text
 * stays a view of the same bytes (no longer NUL-terminated at len); only a
 * leading cut allocates (a rebased copy of the runs).  0 or FL_ENOMEM. */
int fl_text_trim(fl_arena *a, fl_text *t);

/* *out = an exact copy of t (bytes NUL-terminated, runs) in arena `a`:
 * a text built in a scratch arena moves out of it.  0 or FL_ENOMEM. */
int fl_text_copy(fl_arena *a, const fl_text *t, fl_text *out);

/* An fl_text being built in an arena (list substitution, the compile
 * stage's exception clauses, a condition growing by appends).  Start from
 * {0} with `a` set, and with_pos = 1 to keep positions.  Appending is
 * amortised linear, so a builder can stay attached to an item and take
 * thousands of appends. */
typedef struct fl_text_builder {
	fl_arena *a;
	char *s;
	size_t n, cap;
	fl_run *runs;
	size_t nruns, rcap;
	fl_pos last;      /* `at` of the last append: the position of byte len */
	int with_pos, oom;
	size_t max;       /* bytes the text may hold; 0 = up to 4 GiB */
	int over;         /* an append would have gone past max */
} fl_text_builder;

/* Appends s[0..n) (n may be 0), every byte at position `at`.  Out of
 * memory or beyond 4 GiB sets b->oom, an append past b->max (when set)
 * sets b->over; after either, appends do nothing. */
void fl_tbuild_put(fl_text_builder *b, const char *s, size_t n, fl_pos at);
/* Appends t's bytes [from, to) with their positions (or all at `at` when
 * t has none); `at` becomes the position of the end. */
void fl_tbuild_copy(fl_text_builder *b, const fl_text *t, uint32_t from, uint32_t to,
		    fl_pos at);
/* Drops the bytes from n on (n <= b->n). */
void fl_tbuild_truncate(fl_text_builder *b, size_t n);
/* The text built so far ("" when nothing was appended), NUL-terminated,
 * whose position at len is the last append's `at` (no positions without
 * with_pos).  The builder may go on appending: earlier views keep their
 * bytes.  Returns 0, FL_ENOMEM when an append failed, or 1 when one went
 * past b->max. */
int fl_tbuild_done(fl_text_builder *b, fl_text *out);

/* *out = x + " " + y (Falco's join); the space maps to y's first byte.
 * When *b already holds x (x is its last view), y is appended in place, so
 * many appends cost linear time.  0 or FL_ENOMEM. */
int fl_text_join(fl_text_builder *b, const fl_text *x, const fl_text *y, fl_text *out);

#endif
