/*
 * asan_preload_shim.c: preloaded after the ASan runtime into PostgreSQL's
 * programs by the sanitized-server suite (scripts/sanitized.sh).
 *
 * With LD_PRELOAD, ASan initialises at the first malloc, which for postgres
 * happens inside a library constructor (libgpg-error's bindtextdomain, or
 * p11-kit's newlocale) while glibc holds its locale lock. ASan's start-up
 * looks up swift_demangle with dlsym; the failed lookup makes dlerror()
 * translate its message, which takes the same lock: postgres then hangs at
 * its own bindtextdomain. Defining the symbol makes the lookup succeed, so
 * no message is translated. It never demangles anything (NULL: "not Swift").
 */
#include <stddef.h>
#include <stdint.h>

char *swift_demangle(const char *mangled, size_t length, char *out, size_t *out_size, uint32_t flags);

char *
swift_demangle(const char *mangled, size_t length, char *out, size_t *out_size, uint32_t flags)
{
	(void) mangled;
	(void) length;
	(void) out;
	(void) out_size;
	(void) flags;
	return NULL;
}
