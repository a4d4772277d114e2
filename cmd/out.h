/* out.h — the renderers of the command-line tool: one function per output
 * format (render.c: text and json; sarif.c; github.c; gitlab.c; falcojson.c),
 * all reading the session's diagnostic views, and the helpers they share. */
#ifndef FLCMD_OUT_H
#define FLCMD_OUT_H

#include <stdio.h>

#include "falcolint.h"

typedef struct render_opts {
	int color;        /* ANSI colours in text output */
	int quiet;        /* no summary line */
	int statistics;   /* counts per code */
} render_opts;

/* One output format: the diagnostics the user selected, in report order. */
typedef void (*render_fn)(FILE *f, const fl_session *s, const fl_diag_view *const *d,
			  size_t n, const render_opts *o);

void render_text(FILE *f, const fl_session *s, const fl_diag_view *const *d,
		 size_t n, const render_opts *o);
void render_json(FILE *f, const fl_session *s, const fl_diag_view *const *d,
		 size_t n, const render_opts *o);
/* SARIF 2.1.0 for GitHub code scanning: every check as a rule. */
void render_sarif(FILE *f, const fl_session *s, const fl_diag_view *const *d,
		  size_t n, const render_opts *o);
/* GitHub Actions workflow commands (::error file=…::message). */
void render_github(FILE *f, const fl_session *s, const fl_diag_view *const *d,
		   size_t n, const render_opts *o);
/* GitLab Code Quality report (a JSON array). */
void render_gitlab(FILE *f, const fl_session *s, const fl_diag_view *const *d,
		   size_t n, const render_opts *o);
/* Falco's own `falco -V` JSON (falco_load_results). */
void render_falco(FILE *f, const fl_session *s, const fl_diag_view *const *d,
		  size_t n, const render_opts *o);

/* "error", "warning" or "info". */
const char *sev_name(fl_severity s);
/* JSON string literal of s (with quotes); NULL prints null. */
void json_str(FILE *f, const char *s);
/* Writes GitHub's escaping of s: data escaping, plus ':' and ',' when
 * `property` is set. */
void github_escape(FILE *f, const char *s, int property);

/* Hex fingerprints (32 digits + NUL) of n diagnostics: stable across runs
 * and line moves (code, file, item, message), unique within one report.
 * Returns a malloc'ed array or NULL when out of memory. */
char (*fingerprints(const fl_diag_view *const *d, size_t n))[33];

#endif
