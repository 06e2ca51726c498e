/* What callers of the handshake judge from its results, outside the state
 * machine: the name of a handshake style, the exit class of an error
 * reply, and whether a reconnect reached the same export (hs.h). Pure. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "fmt.h"
#include "hs.h"

const char *nbd_style_name(int style)
{
	switch (style) {
	case NBD_STYLE_OLD: return "oldstyle";
	case NBD_STYLE_NEW: return "newstyle";
	case NBD_STYLE_FIXED: return "fixed newstyle";
	}
	return "none";
}

int nbd_rep_err_class(uint32_t type)
{
	switch (type & ~NBD_REP_ERR_BIT) {
	case NBD_REP_ERR_UNKNOWN:
	case NBD_REP_ERR_POLICY:
		return NBX_EXPORT;
	case NBD_REP_ERR_TLS_REQD:
		return NBX_TLS;
	case NBD_REP_ERR_UNSUP:
	case NBD_REP_ERR_PLATFORM:
		return NBX_NOTSUP;
	}
	return NBX_PROTO;
}

const char *nbd_export_changed(const struct nbd_export *was, const struct nbd_export *now,
			       int writable, int multi, char *buf, size_t len)
{
	uint16_t keep = NBD_TF_SEND_FLUSH | NBD_TF_SEND_FUA | NBD_TF_SEND_TRIM |
			NBD_TF_SEND_WRITE_ZEROES | (multi ? NBD_TF_CAN_MULTI_CONN : 0);
	uint16_t lost = was->tflags & ~now->tflags & keep;
	const char *f = nbd_tflag_names;
	unsigned bit = NBD_TF_READ_ONLY;

	if (now->size != was->size) {
		nbd_fmt(buf, len, "export size %llu, was %llu", (unsigned long long)now->size,
			(unsigned long long)was->size);
		return buf;
	}
	if (writable && (now->tflags & NBD_TF_READ_ONLY) && !(was->tflags & NBD_TF_READ_ONLY)) {
		nbd_fmt(buf, len, "export read-only now, was writable");
		return buf;
	}
	if (!lost)
		return NULL;
	for (; *f && !(lost & bit); bit <<= 1)
		f += strlen(f) + 1;
	nbd_fmt(buf, len, "export no longer offers %s", *f ? f : "a flag it had");
	return buf;
}
