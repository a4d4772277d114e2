/* diag.c — recording diagnostics, and the check catalogue expanded from the
 * lib/diag/ *.def tables. */
#include "diag.h"

#include <string.h>

const fl_check_info fl_checks[FL_NCODES] = {
#define FL_DIAG(code, name, sev, on, fcode, summary, explain) \
	[code] = {#code, name, FL_SEV_##sev, on, fcode, summary, explain},
#include "diag/all.def"
#undef FL_DIAG
};

fl_dg *fl_vdiag(fl_diags *d, fl_code code, fl_span span, const char *fmt,
		va_list ap)
{
	fl_dg *g = fl_arena_alloc(d->arena, sizeof(*g));
	if (!g)
		return NULL;
	g->code = code;
	g->severity = fl_checks[code].severity;
	g->span = span;
	g->msg = fl_arena_vprintf(d->arena, fmt, ap);
	g->seq = (uint32_t)d->list.n;
	if (!g->msg || FL_VEC_PUSH(d->arena, d->list, g))
		return NULL;
	return g;
}

fl_dg *fl_diag(fl_diags *d, fl_code code, fl_span span, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fl_dg *g = fl_vdiag(d, code, span, fmt, ap);
	va_end(ap);
	return g;
}

void fl_diag_item(fl_dg *g, const char *kind, const char *name)
{
	if (!g)
		return;
	g->item_kind = kind;
	g->item_name = name;
}

void fl_diag_note(fl_diags *d, fl_dg *g, fl_span span, const char *fmt, ...)
{
	if (!g)
		return;
	fl_dnote *n = fl_arena_alloc(d->arena, sizeof(*n));
	if (!n)
		return;
	va_list ap;
	va_start(ap, fmt);
	n->msg = fl_arena_vprintf(d->arena, fmt, ap);
	va_end(ap);
	n->span = span;
	if (g->last_note)
		g->last_note->next = n;
	else
		g->notes = n;
	g->last_note = n;
}

void fl_diag_help(fl_diags *d, fl_dg *g, const char *fmt, ...)
{
	if (!g)
		return;
	va_list ap;
	va_start(ap, fmt);
	g->help = fl_arena_vprintf(d->arena, fmt, ap);
	va_end(ap);
}

int fl_code_lookup(const char *text)
{
	for (int i = 0; i < FL_NCODES; i++)
		if (strcmp(fl_checks[i].code, text) == 0)
			return i;
	return -1;
}
