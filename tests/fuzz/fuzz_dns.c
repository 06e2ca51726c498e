/* Fuzz target: a nameserver's answer, fed to the DNS parser. */
#include <stddef.h>
#include <stdint.h>
#include "dns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dns_addr a[8];
	int rc;

	if (size < 2 || size > DNS_MAX_MSG)
		return 0;
	nbd_dns_parse(data, size, (uint16_t)(data[0] << 8 | data[1]), DNS_TYPE_A, a, 8, &rc);
	nbd_dns_parse(data, size, (uint16_t)(data[0] << 8 | data[1]), DNS_TYPE_AAAA, a, 8, &rc);
	return 0;
}
