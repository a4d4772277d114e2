/* fuzz_yaml.c — libFuzzer harness for the YAML layer and the loader: the
 * input is one rules file given to fl_session_add_buffer, then the session
 * runs (load and checks).  Small limits keep each run fast so the fuzzer
 * explores breadth. */
#include "fuzz.h"
#include "falcolint.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fl_options o;
	fl_options_init(&o);
	o.limits.max_file_size = 1 << 20;
	o.limits.max_yaml_depth = 64;
	o.limits.max_yaml_aliases = 256;
	fl_session *s = fl_session_new(&o);
	if (!s)
		return 0;
	/* No scenario is named "-": evaluation is skipped, which triples the
	 * speed here; fuzz_pipeline covers it. */
	if (fl_session_only_scenario(s, "-")) {
		fl_session_free(s);
		return 0;
	}
	if (fl_session_add_buffer(s, "fuzz.yaml", (const char *)data, size, 0) == 0)
		(void)fl_session_run(s);
	fl_session_free(s);
	return 0;
}
