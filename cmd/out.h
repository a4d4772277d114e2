/* out.h — the renderers of the command-line tool: one function per output
 * format, all reading the session's diagnostic views. */
#ifndef FLCMD_OUT_H
#define FLCMD_OUT_H

#include <stdio.h>

#include "falcolint.h"

typedef struct render_opts {
	int color;        /* ANSI colours in text output */
	int quiet;        /* no summary line */
	int statistics;   /* counts per code */
} render_opts;

/* A diagnostic passes the user's selection (set by main). */
typedef int (*diag_filter)(const fl_diag_view *d, void *ctx);

void render_text(FILE *f, const fl_session *s, const fl_diag_view *const *d,
		 size_t n, const render_opts *o);
void render_json(FILE *f, const fl_session *s, const fl_diag_view *const *d,
		 size_t n, const render_opts *o);

/* JSON string literal of s (with quotes). */
void json_str(FILE *f, const char *s);

#endif
