/* fuzz_pipeline.c — libFuzzer harness for the whole pipeline: load, checks,
 * scenario evaluation (results kept), fix synthesis and merge, then every
 * diagnostic, scenario and result is walked through the public view API
 * the renderers use (locations, notes, source lines).  The input is: one
 * option byte, then a context file and a rules file separated by a line
 * "#--8<--" (no separator: everything is the rules file). */
#include "fuzz.h"
#include "falcolint.h"

#include <string.h>

static const char *const targets[] = {NULL, "0.44.1", "0.36.0", "0.28.0"};

static const char sep[] = "\n#--8<--\n";

/* Touches every byte a renderer would read, so a dangling pointer or an
 * out-of-range location shows up under ASan. */
static size_t walk_loc(const fl_session *s, const fl_location *l)
{
	size_t sum = 0, len = 0;
	if (!l->file)
		return 0;
	sum += strlen(l->file);
	for (unsigned line = l->line; line <= l->end_line && line < l->line + 4; line++) {
		const char *t = fl_session_source_line(s, l->source, line, &len);
		for (size_t i = 0; t && i < len; i++)
			sum += (unsigned char)t[i];
	}
	return sum;
}

static size_t walk_str(const char *p)
{
	return p ? strlen(p) : 0;
}

static size_t render(const fl_session *s)
{
	size_t sum = 0;
	for (size_t i = 0; i < fl_session_ndiags(s); i++) {
		const fl_diag_view *d = fl_session_diag(s, i);
		sum += walk_str(d->code) + walk_str(d->name) + walk_str(d->falco_code) +
		       walk_str(d->message) + walk_str(d->item_kind) + walk_str(d->item_name) +
		       walk_str(d->help) + walk_str(d->scenario) + walk_str(d->variant);
		sum += walk_loc(s, &d->loc);
		for (size_t k = 0; k < d->nnotes; k++)
			sum += walk_loc(s, &d->notes[k].loc) + walk_str(d->notes[k].message);
		if (!fl_check_find(d->code))
			__builtin_trap();   /* every code must be in the catalogue */
	}
	for (size_t i = 0; i < fl_session_nsources(s); i++)
		sum += walk_str(fl_session_source_path(s, (unsigned)i));
	for (size_t i = 0; i < fl_session_nscenarios(s); i++) {
		const fl_scenario_view *v = fl_session_scenario_at(s, i);
		sum += walk_str(v->name) + walk_str(v->kind) + walk_str(v->summary) +
		       walk_str(v->source) + walk_str(v->file);
		for (size_t k = 0; k < v->nrefs; k++)
			sum += walk_str(v->refs[k]);
		for (size_t k = 0; k < v->nvariants; k++)
			sum += walk_str(v->variants[k]) + walk_str(v->variant_drivers[k]);
	}
	for (size_t i = 0; i < fl_session_neval(s); i++) {
		const fl_eval_result *r = fl_session_eval_at(s, i);
		sum += walk_str(r->scenario) + walk_str(r->variant) + walk_str(r->kind);
		for (size_t k = 0; k < r->nfires; k++)
			sum += walk_str(r->fires[k]);
		for (size_t k = 0; k < r->nmay_fire; k++)
			sum += walk_str(r->may_fire[k]);
	}
	return sum;
}

/* Fix synthesis re-loads the inputs once per candidate: only on some
 * inputs (flag bit 3), helm form with bit 4; the fix is merged back into
 * the rules file's own bytes. */
static size_t fix(fl_session *s, unsigned flags, const char *rules, size_t n)
{
	fl_fix_options fo = {.only = NULL, .helm = (flags >> 4) & 1, .helm_entry = NULL};
	fl_fix *f = NULL;
	size_t sum = 0, len = 0;
	if (fl_fix_run(s, &fo, &f) != 0 || !f)
		return 0;
	sum += walk_str(fl_fix_text(f, &len)) + fl_fix_nentries(f);
	for (size_t i = 0; i < fl_fix_nunfixed(f); i++)
		sum += walk_str(fl_fix_unfixed(f, i));
	for (size_t i = 0; i < fl_fix_nlog(f); i++)
		sum += walk_str(fl_fix_log(f, i));
	char *out = NULL;
	const char *err = NULL;
	int changed = 0;
	if (fl_fix_merge(f, fo.helm ? "values.yaml" : "rules.yaml", rules, n, &out, &len,
			 &changed, &err) == 0 && out)
		sum += len + (size_t)changed;
	return sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	unsigned flags = data[0];
	const char *p = (const char *)data + 1;
	size_t n = size - 1;

	fl_options o;
	fl_options_init(&o);
	o.target_falco = targets[(flags >> 1) & 3];
	o.show_uncertain = flags & 1;
	o.limits.max_file_size = 1 << 20;
	o.limits.max_yaml_depth = 64;
	o.limits.max_yaml_aliases = 256;
	o.limits.max_expr_depth = 200;
	fl_session *s = fl_session_new(&o);
	if (!s)
		return 0;

	const char *cut = NULL;
	for (size_t i = 0; i + sizeof sep - 1 <= n; i++)
		if (memcmp(p + i, sep, sizeof sep - 1) == 0) {
			cut = p + i;
			break;
		}
	int rc = 0;
	if (cut) {
		rc = fl_session_add_buffer(s, "context.yaml", p, (size_t)(cut - p), 1);
		p = cut + sizeof sep - 1;
		n -= (size_t)(p - ((const char *)data + 1));
	}
	if (rc == 0)
		rc = fl_session_add_buffer(s, "rules.yaml", p, n, 0);
	fl_session_keep_evaluation(s);
	if (rc == 0 && fl_session_run(s) == 0) {
		volatile size_t sink = render(s);
		if (flags & 8)
			sink += fix(s, flags, p, n);
		(void)sink;
	}
	fl_session_free(s);
	return 0;
}
