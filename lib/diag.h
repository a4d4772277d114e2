/* diag.h — diagnostics as values.  Every check has one entry in a
 * lib/diag/ *.def table (code, default severity, default on/off, Falco code,
 * summary, explain text); the enum, `falco-lint checks`, `explain` and the
 * man page are all expanded from those tables. */
#ifndef FL_DIAG_H
#define FL_DIAG_H

#include <stdarg.h>
#include <stdint.h>

#include "arena.h"
#include "source.h"

typedef enum fl_sev { FL_SEV_ERROR, FL_SEV_WARNING, FL_SEV_INFO } fl_sev;

/* FL_DIAG(CODE, name, severity, on_by_default, falco_code, summary, explain)
 *   CODE          FL001 …; the enum constant and the printed code
 *   name          kebab-case name ("yaml-syntax")
 *   severity      ERROR | WARNING | INFO (FL_SEV_ prefix added)
 *   on_by_default 1, or 0 for opt-in checks (enabled by --select)
 *   falco_code    "LOAD_ERR_YAML_PARSE" …, or NULL when Falco has no such check
 *   summary       one line, lowercase, no final period
 *   explain       what it means, why it matters, an example, how to fix */
typedef enum fl_code {
#define FL_DIAG(code, name, sev, on, fcode, summary, explain) code,
#include "diag/all.def"
#undef FL_DIAG
	FL_NCODES
} fl_code;

typedef struct fl_check_info {
	const char *code, *name;
	fl_sev severity;
	int on_by_default;
	const char *falco_code, *summary, *explain;
} fl_check_info;

extern const fl_check_info fl_checks[FL_NCODES];

typedef struct fl_dnote {
	fl_span span;         /* span.src == UINT32_MAX: no location */
	const char *msg;
	struct fl_dnote *next;
} fl_dnote;

typedef struct fl_dg {
	fl_code code;
	fl_sev severity;
	fl_span span;
	const char *msg;
	const char *item_kind;  /* "list" | "macro" | "rule" | … or NULL */
	const char *item_name;
	const char *help;       /* one line of advice or NULL */
	const char *scenario, *variant;   /* FL5xx */
	fl_dnote *notes, *last_note;
	uint32_t seq;           /* emission order */
} fl_dg;

/* The diagnostics of one session; arena-owned. */
typedef struct fl_diags {
	fl_arena *arena;
	FL_VEC(fl_dg *) list;
} fl_diags;

#define FL_NOSPAN ((fl_span){UINT32_MAX, 0, 0})

/* Records a diagnostic of `code` at `span` with its default severity; the
 * message follows the wording rules (lowercase, no final period, subject in
 * quotes).  Returns it for notes, or NULL when out of memory. */
fl_dg *fl_diag(fl_diags *d, fl_code code, fl_span span, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
fl_dg *fl_vdiag(fl_diags *d, fl_code code, fl_span span, const char *fmt,
		va_list ap) __attribute__((format(printf, 4, 0)));
/* Sets the list/macro/rule a diagnostic concerns. */
void fl_diag_item(fl_dg *g, const char *kind, const char *name);
/* Adds a note with its own span ("first defined here"). */
void fl_diag_note(fl_diags *d, fl_dg *g, fl_span span, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void fl_diag_help(fl_diags *d, fl_dg *g, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Looks a code up by its text ("FL102"); -1 if unknown. */
int fl_code_lookup(const char *text);

#endif
