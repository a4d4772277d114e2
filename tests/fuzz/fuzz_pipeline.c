/* fuzz_pipeline.c — libFuzzer harness for the whole pipeline: load, checks,
 * scenario evaluation, then every diagnostic is walked through the public
 * view API the renderers use (locations, notes, source lines).  The input
 * is: one option byte, then a context file and a rules file separated by a
 * line "#--8<--" (no separator: everything is the rules file). */
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
	if (rc == 0 && fl_session_run(s) == 0) {
		volatile size_t sink = render(s);
		(void)sink;
	}
	fl_session_free(s);
	return 0;
}
