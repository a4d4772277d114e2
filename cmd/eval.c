/* eval.c — the `eval` and `scenarios` subcommands: what every scenario
 * variant makes the enabled rules of a ruleset do (fire / may fire), and
 * the scenarios loaded (built-in catalogue, --scenario files, those the
 * project configuration names).  Both print text or JSON. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd.h"
#include "falcolint.h"
#include "opts.h"
#include "out.h"

enum { E_RULES, E_SCENARIO, E_NAME, E_DRIVER, E_FORMAT, E_TARGET, E_CONFIG,
       E_NO_CONFIG, E_HELP };

/* flags: EVAL_ONLY options are not offered by `scenarios`. */
enum { FOR_EVAL = 1, FOR_SCENARIOS = 2, FOR_BOTH = 3 };

static const struct cli_opt eopts[] = {
	{E_RULES, 'r', "rules", "FILE", "load FILE first as context (repeatable)", FOR_EVAL},
	{E_SCENARIO, 0, "scenario", "FILE", "load scenarios from FILE too (repeatable)", FOR_BOTH},
	{E_NAME, 0, "scenario-name", "NAME", "evaluate only the scenario NAME", FOR_EVAL},
	{E_DRIVER, 0, "driver", "NAME", "only variants of driver NAME: modern_bpf, ebpf, kmod", FOR_EVAL},
	{E_FORMAT, 0, "format", "FMT", "output format: text (default) or json", FOR_BOTH},
	{E_TARGET, 0, "target-falco", "VERSION", "evaluate as Falco VERSION loads (default: newest known)", FOR_EVAL},
	{E_CONFIG, 0, "config", "FILE", "read falco-lint settings from FILE instead of .falco-lint.yaml", FOR_BOTH},
	{E_NO_CONFIG, 0, "no-config", NULL, "ignore any .falco-lint.yaml", FOR_BOTH},
	{E_HELP, 'h', "help", NULL, "show this help and exit", FOR_BOTH},
};
#define NEOPTS (sizeof(eopts) / sizeof(eopts[0]))

typedef struct eargs {
	int scenarios_cmd;     /* `scenarios` rather than `eval` */
	fl_options fo;
	const char **rules, **scen, **paths;
	size_t nrules, nscen, npaths;
	const char *name, *config;
	int json, no_config;
} eargs;

static void eusage(FILE *f, int scen)
{
	fputs(scen ? "usage: falco-lint scenarios [OPTIONS]\n\n"
		     "List the scenarios falco-lint evaluates rules against: the built-in\n"
		     "catalogue, --scenario files and those .falco-lint.yaml names.\n"
		   : "usage: falco-lint eval [OPTIONS] PATH...\n\n"
		     "Evaluate the enabled rules of the rules files against every scenario\n"
		     "variant and show, for each, the rules that fire and those that may fire\n"
		     "(they depend on fields the scenario does not give).\n",
	      f);
	fputs("\noptions:\n", f);
	cli_print_options(f, eopts, NEOPTS, scen ? FOR_SCENARIOS : FOR_EVAL);
	fputs("\nexit status: 0 evaluated, 1 the input has errors (shown on standard\n"
	      "error), 2 usage error, 3 internal error\n", f);
}

static int eapply(void *ctx, const struct cli_opt *o, const char *v)
{
	eargs *a = ctx;
	switch (o->id) {
	case E_RULES: a->rules[a->nrules++] = v; return 0;
	case E_SCENARIO: a->scen[a->nscen++] = v; return 0;
	case E_NAME: a->name = v; return 0;
	case E_DRIVER:
		if (!fl_driver_name_valid(v))
			return usage_error("unknown driver '%s' (modern_bpf, ebpf, kmod)", v);
		a->fo.driver = v;
		return 0;
	case E_FORMAT:
		if (strcmp(v, "text") && strcmp(v, "json"))
			return usage_error("unknown format '%s' (text, json)", v);
		a->json = !strcmp(v, "json");
		return 0;
	case E_TARGET:
		if (!fl_engine_version_of(v))
			return usage_error("unknown Falco version '%s'", v);
		a->fo.target_falco = v;
		return 0;
	case E_CONFIG: a->config = v; return 0;
	case E_NO_CONFIG: a->no_config = 1; return 0;
	case E_HELP:
		eusage(stdout, a->scenarios_cmd);
		exit(EXIT_CLEAN);
	}
	return 0;
}

static int eoperand(void *ctx, const char *arg)
{
	eargs *a = ctx;
	if (a->scenarios_cmd)
		return usage_error("'scenarios' takes no path ('%s')", arg);
	a->paths[a->npaths++] = arg;
	return 0;
}

static int eparse(eargs *a, int argc, char **argv)
{
	return cli_parse(eopts, NEOPTS, a->scenarios_cmd ? FOR_SCENARIOS : FOR_EVAL, 2, argc,
			 argv, eapply, eoperand, a, a->scenarios_cmd ? "scenarios" : "eval");
}

static int same_path(const char *x, const char *y)
{
	struct stat sx, sy;
	if (stat(x, &sx) || stat(y, &sy))
		return !strcmp(x, y);
	return sx.st_dev == sy.st_dev && sx.st_ino == sy.st_ino;
}

/* Loads everything into a new session and runs it; *s is set even on
 * failure (free it).  Returns 0 or an exit status. */
static int load(eargs *a, fl_lintconfig *lc, fl_session **out)
{
	if (lc && !a->fo.target_falco)
		a->fo.target_falco = lc->target_falco;
	fl_session *s = *out = fl_session_new(&a->fo);
	if (!s)
		return EXIT_INTERNAL;
	int rc = 0;
	fl_session_keep_evaluation(s);
	if (a->name)
		rc = fl_session_only_scenario(s, a->name);
	for (size_t i = 0; lc && i < lc->nscenarios && !rc; i++)
		rc = fl_session_add_scenario(s, lc->scenarios[i]);
	for (size_t i = 0; i < a->nscen && !rc; i++)
		rc = fl_session_add_scenario(s, a->scen[i]);
	for (size_t i = 0; lc && i < lc->nrules && !rc; i++) {
		int named = 0;
		for (size_t k = 0; k < a->npaths; k++)
			named |= same_path(a->paths[k], lc->rules[i]);
		if (!named)
			rc = fl_session_add_path(s, lc->rules[i], 1);
	}
	for (size_t i = 0; i < a->nrules && !rc; i++)
		rc = fl_session_add_path(s, a->rules[i], 1);
	for (size_t i = 0; i < a->npaths && !rc; i++)
		rc = fl_session_add_path(s, a->paths[i], 0);
	if (!rc)
		rc = fl_session_run(s);
	if (rc) {
		fprintf(stderr, "falco-lint: internal error (%d)\n", rc);
		return EXIT_INTERNAL;
	}
	return 0;
}

/* Errors in the input make the evaluation incomplete: they go to stderr
 * (text), and the exit status says so. */
static int report_errors(const fl_session *s)
{
	size_t n = fl_session_ndiags(s), k = 0;
	const fl_diag_view **e = calloc(n + 1, sizeof(*e));
	if (!e)
		return EXIT_INTERNAL;
	for (size_t i = 0; i < n; i++)
		if (fl_session_diag(s, i)->severity == FL_SEVERITY_ERROR)
			e[k++] = fl_session_diag(s, i);
	render_opts ro = {0, 1, 0};
	if (k)
		render_text(stderr, s, e, k, &ro);
	free(e);
	return k ? EXIT_FINDINGS : EXIT_CLEAN;
}

static void text_names(const char *label, const char *const *v, size_t n)
{
	printf("  %s:", label);
	if (!n)
		fputs(" (none)", stdout);
	for (size_t i = 0; i < n; i++)
		printf("%s'%s'", i ? ", " : " ", v[i]);
	putchar('\n');
}

static void json_names(const char *const *v, size_t n)
{
	putchar('[');
	for (size_t i = 0; i < n; i++) {
		if (i)
			putchar(',');
		json_str(stdout, v[i]);
	}
	putchar(']');
}

static void print_eval(const fl_session *s, int json)
{
	size_t n = fl_session_neval(s);
	if (json)
		putchar('[');
	for (size_t i = 0; i < n; i++) {
		const fl_eval_result *r = fl_session_eval_at(s, i);
		if (json) {
			fputs(i ? ",\n{\"scenario\":" : "\n{\"scenario\":", stdout);
			json_str(stdout, r->scenario);
			fputs(",\"variant\":", stdout);
			json_str(stdout, r->variant);
			fputs(",\"kind\":", stdout);
			json_str(stdout, r->kind);
			fputs(",\"fires\":", stdout);
			json_names(r->fires, r->nfires);
			fputs(",\"may_fire\":", stdout);
			json_names(r->may_fire, r->nmay_fire);
			putchar('}');
			continue;
		}
		printf("%sscenario '%s' variant '%s' (%s)\n", i ? "\n" : "", r->scenario,
		       r->variant, r->kind);
		text_names("fires", r->fires, r->nfires);
		text_names("may fire", r->may_fire, r->nmay_fire);
	}
	if (json)
		fputs(n ? "\n]\n" : "]\n", stdout);
}

static void print_scenarios(const fl_session *s, int json)
{
	size_t n = fl_session_nscenarios(s);
	if (json)
		putchar('[');
	for (size_t i = 0; i < n; i++) {
		const fl_scenario_view *v = fl_session_scenario_at(s, i);
		if (!json) {
			printf("%s (%s, %s) %s\n", v->name, v->kind, v->source,
			       v->file ? v->file : "");
			if (v->summary)
				printf("  %s\n", v->summary);
			fputs("  variants:", stdout);
			for (size_t k = 0; k < v->nvariants; k++)
				printf("%s%s (%s)", k ? ", " : " ", v->variants[k],
				       *v->variant_drivers[k] ? v->variant_drivers[k] : "every driver");
			putchar('\n');
			continue;
		}
		fputs(i ? ",\n{\"name\":" : "\n{\"name\":", stdout);
		json_str(stdout, v->name);
		fputs(",\"kind\":", stdout);
		json_str(stdout, v->kind);
		fputs(",\"source\":", stdout);
		json_str(stdout, v->source);
		fputs(",\"file\":", stdout);
		json_str(stdout, v->file);
		printf(",\"builtin\":%s,\"summary\":", v->builtin ? "true" : "false");
		json_str(stdout, v->summary);
		fputs(",\"references\":", stdout);
		json_names(v->refs, v->nrefs);
		fputs(",\"variants\":[", stdout);
		for (size_t k = 0; k < v->nvariants; k++) {
			fputs(k ? ",{\"name\":" : "{\"name\":", stdout);
			json_str(stdout, v->variants[k]);
			fputs(",\"drivers\":[", stdout);
			/* "modern_bpf, ebpf" → ["modern_bpf","ebpf"]; [] = every driver */
			const char *p = v->variant_drivers[k];
			int first = 1;
			while (*p) {
				size_t len = strcspn(p, ",");
				printf("%s\"%.*s\"", first ? "" : ",", (int)len, p);
				first = 0;
				p += len;
				while (*p == ',' || *p == ' ')
					p++;
			}
			fputs("]}", stdout);
		}
		fputs("]}", stdout);
	}
	if (json)
		fputs(n ? "\n]\n" : "]\n", stdout);
}

static int run(int argc, char **argv, int scenarios_cmd)
{
	eargs a = {.scenarios_cmd = scenarios_cmd};
	fl_options_init(&a.fo);
	map_rule_files(&a.fo);
	a.rules = calloc((size_t)argc, sizeof(char *));
	a.scen = calloc((size_t)argc, sizeof(char *));
	a.paths = calloc((size_t)argc, sizeof(char *));
	fl_lintconfig *lc = NULL;
	fl_session *s = NULL;
	int rc = EXIT_INTERNAL;
	if (!a.rules || !a.scen || !a.paths)
		goto out;
	if ((rc = eparse(&a, argc, argv)))
		goto out;
	if (!scenarios_cmd && !a.npaths) {
		rc = usage_error("%s", "no rules file given");
		goto out;
	}
	if (!a.no_config) {
		if (!(lc = fl_lintconfig_new())) {
			rc = EXIT_INTERNAL;
			goto out;
		}
		int lrc = a.config ? fl_lintconfig_read(lc, a.config) : fl_lintconfig_discover(lc, ".");
		if (lrc == FL_ENOMEM) {
			rc = EXIT_INTERNAL;
			goto out;
		}
		if (lrc == FL_EUSAGE) {
			fprintf(stderr, "falco-lint: %s\n", lc->error);
			rc = EXIT_USAGE;
			goto out;
		}
		if (lrc == 1) {
			fl_lintconfig_free(lc);
			lc = NULL;
		}
	}
	if ((rc = load(&a, lc, &s)))
		goto out;
	if (a.name) {
		int found = 0;
		for (size_t i = 0; i < fl_session_nscenarios(s); i++)
			found |= !strcmp(fl_session_scenario_at(s, i)->name, a.name);
		if (!found) {
			rc = usage_error("unknown scenario '%s' (see 'falco-lint scenarios')", a.name);
			goto out;
		}
	}
	rc = report_errors(s);
	if (rc == EXIT_INTERNAL)
		goto out;
	if (scenarios_cmd)
		print_scenarios(s, a.json);
	else
		print_eval(s, a.json);
	if (fflush(stdout) || ferror(stdout)) {
		fputs("falco-lint: cannot write the output\n", stderr);
		rc = EXIT_INTERNAL;
	}
out:
	fl_session_free(s);
	fl_lintconfig_free(lc);
	free(a.rules);
	free(a.scen);
	free(a.paths);
	return rc;
}

int cmd_eval(int argc, char **argv)
{
	return run(argc, argv, 0);
}

int cmd_scenarios(int argc, char **argv)
{
	return run(argc, argv, 1);
}
