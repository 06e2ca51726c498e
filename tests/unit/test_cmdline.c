/* The kernel command line's NBD root forms (core/cmdline.c) and nbdtab. */
#include "unit.h"
#include "cmdline.h"

static struct nbd_spec s;
static struct nbd_err e;

static int P(const char *line)
{
	memset(&e, 0, sizeof e);
	return nbd_cmdline_parse(line, strlen(line), NULL, &s, &e);
}

#define HOST(h) CHECK(!strcmp(s.host, h))
#define PORT(p) CHECK(!strcmp(s.port, p))
#define NAME(n) CHECK(s.has_name && !strcmp(s.name, n))

TEST(cmdline_none)
{
	CHECK(P("") == 0);
	CHECK(P("quiet root=/dev/sda1 ro init=/sbin/init") == 0);
	CHECK(P("root=nfs:10.0.0.1:/x netroot=iscsi:1.2.3.4::::iqn") == 0);
}

TEST(cmdline_debian_three_fields)
{
	CHECK(P("nbdroot=10.0.0.5,root,nbd1") == 1);
	CHECK_EQ(s.form, NBD_FORM_DEBIAN);
	HOST("10.0.0.5"); NAME("root"); CHECK(!s.port[0]);
	CHECK_EQ(s.index, 1); CHECK_EQ(s.part, 0); CHECK(s.persist);
	/* a middle of digits is a port (README.Debian) */
	CHECK(P("nbdroot=10.0.0.5,10810,nbd2") == 1);
	PORT("10810"); CHECK(!s.has_name); CHECK_EQ(s.index, 2);
	/* root= wins over the third field; p1 is the root partition */
	CHECK(P("nbdroot=10.0.0.5,root,nbd1 root=/dev/nbd3p2") == 1);
	CHECK_EQ(s.index, 3); CHECK_EQ(s.part, 2);
	CHECK(P("root=/dev/nbd3p2 nbdroot=10.0.0.5,root,nbd1") == 1);
	CHECK_EQ(s.index, 3);
	CHECK(P("nbdroot=10.0.0.5,root,/dev/nbd4") == 1);
	CHECK_EQ(s.index, 4);
	CHECK(P("nbdroot=10.0.0.5,root,sda") < 0);
	CHECK_STR(e.msg, "nbdroot=10.0.0.5,root,sda: the third field");
	CHECK(P("nbdroot=a,b,c,d") < 0);
	CHECK_STR(e.msg, "three");
	CHECK(P("nbdroot=10.0.0.5,,nbd0") < 0);
	CHECK_STR(e.msg, "empty");
	CHECK(P("nbdroot=10.0.0.5,99999,nbd0") < 0);
}

TEST(cmdline_debian_two_fields)
{
	/* README.Debian's form that its script drops ("Insufficient
	 * information"): the device comes from root= or defaults to nbd0. */
	CHECK(P("nbdroot=10.0.0.5,root") == 1);
	HOST("10.0.0.5"); NAME("root"); CHECK_EQ(s.index, 0);
	CHECK(P("nbdroot=10.0.0.5,root root=/dev/nbd0p1") == 1);
	NAME("root"); CHECK_EQ(s.part, 1);
	CHECK(P("nbdroot=10.0.0.5,10809") == 1);
	PORT("10809"); CHECK(!s.has_name);
	CHECK(P("nbdroot=dhcp,root,nbd0") == 1);
	CHECK(s.host_dhcp); NAME("root");
}

TEST(cmdline_debian_colon_forms)
{
	CHECK(P("nbdroot=10.0.0.5:10810/root") == 1);
	HOST("10.0.0.5"); PORT("10810"); NAME("root");
	CHECK(P("nbdroot=srv.example:10810/a/b") == 1);
	HOST("srv.example"); NAME("a/b");
	/* SERVER:/PATH: the export keeps its slash */
	CHECK(P("nbdroot=10.0.0.5:/srv/root.img") == 1);
	HOST("10.0.0.5"); NAME("/srv/root.img"); CHECK(!s.port[0]);
	CHECK(P("nbdroot=/srv/root.img") == 1);
	CHECK(s.host_dhcp); NAME("/srv/root.img");
	CHECK(P("nbdroot=10.0.0.5:10810") == 1);
	PORT("10810"); CHECK(!s.has_name);
	CHECK(P("nbdroot=10.0.0.5:root") == 1);
	NAME("root");
	CHECK(P("nbdroot=10.0.0.5/root") == 1);
	NAME("root");
	CHECK(P("nbdroot=10.0.0.5") == 1);
	HOST("10.0.0.5"); CHECK(!s.has_name);
	CHECK(P("nbdroot=10.0.0.5:10x/root") < 0);
	CHECK_STR(e.msg, "port");
	CHECK(P("nbdroot=10.0.0.5:0/root") < 0);
}

TEST(cmdline_debian_ipv6)
{
	CHECK(P("nbdroot=[fe80::1]:10810/root") == 1);
	HOST("fe80::1"); PORT("10810"); NAME("root");
	CHECK(P("nbdroot=[2001:db8::5]:/srv/x") == 1);
	HOST("2001:db8::5"); NAME("/srv/x");
	CHECK(P("nbdroot=[::1]") == 1);
	HOST("::1"); CHECK(!s.has_name);
	CHECK(P("nbdroot=[::1") < 0);
	CHECK(P("nbdroot=[]:1/x") < 0);
	CHECK(P("nbdroot=[::1]x/y") < 0);
}

TEST(cmdline_devices)
{
	CHECK(P("nbdroot=h,root nbddev=/dev/nbd5") == 1);
	CHECK_EQ(s.index, 5);
	/* the later of nbddev= and root=/dev/nbd wins, as in the script */
	CHECK(P("nbddev=/dev/nbd5 root=/dev/nbd6p3 nbdroot=h,root") == 1);
	CHECK_EQ(s.index, 6); CHECK_EQ(s.part, 3);
	CHECK(P("root=/dev/nbd6p3 nbddev=/dev/nbd5 nbdroot=h,root") == 1);
	CHECK_EQ(s.index, 5); CHECK_EQ(s.part, 0);
	CHECK(P("nbdroot=h,root root=/dev/nbdX") < 0);
	CHECK_STR(e.msg, "root=/dev/nbdX");
	CHECK(P("nbdroot=h,root root=/dev/nbd0p0") < 0);
	/* a device alone: the server would come from DHCP */
	CHECK(P("root=/dev/nbd0") == 1);
	CHECK(s.host_dhcp);
}

TEST(cmdline_dracut)
{
	CHECK(P("root=nbd:10.0.0.5:root:ext4") == 1);
	CHECK_EQ(s.form, NBD_FORM_DRACUT);
	HOST("10.0.0.5"); NAME("root"); CHECK(!strcmp(s.fstype, "ext4")); CHECK_EQ(s.index, 0);
	CHECK(P("root=nbd:10.0.0.5:10810") == 1);
	PORT("10810"); CHECK(!s.has_name);
	/* the "preferred" form dracut's nbdroot.sh sends as -name 10810/root */
	CHECK(P("root=nbd:10.0.0.5:10810/root:ext4:ro") == 1);
	PORT("10810"); NAME("root"); CHECK(!strcmp(s.rootflags, "ro"));
	CHECK(P("netroot=nbd:10.0.0.5:root") == 1);
	NAME("root");
	CHECK(P("root=nbd:[fd00::5]:10809:xfs") == 1);
	HOST("fd00::5"); PORT("10809"); CHECK(!strcmp(s.fstype, "xfs"));
	/* root= wins over netroot=; the first netroot=nbd: is taken */
	CHECK(P("netroot=nbd:a:x root=nbd:b:y") == 1);
	HOST("b");
	CHECK(P("netroot=nbd:a:x netroot=nbd:c:z") == 1);
	HOST("a");
	CHECK(P("root=nbd:10.0.0.5") < 0);
	CHECK_STR(e.msg, "PORT");
	CHECK(P("root=nbd::root") < 0);
	CHECK(P("root=nbd:[::1:root") < 0);
}

TEST(cmdline_dracut_nbdopts)
{
	CHECK(P("root=nbd:h:root:ext4:rw,noatime:-t,30,bs=4096,-C,2,-persist,-R") == 1);
	CHECK_EQ(s.timeout_s, 30); CHECK_EQ(s.block_size, 4096); CHECK_EQ(s.conns, 2);
	CHECK(s.read_only); CHECK(!strcmp(s.rootflags, "rw,noatime"));
	CHECK(P("root=nbd:h:root:ext4::timeout=15,-b,1024,-N,other,-nonetlink") == 1);
	CHECK_EQ(s.timeout_s, 15); CHECK_EQ(s.block_size, 1024); NAME("other");
	CHECK(s.use_ioctl);
	/* nbdopts take the rest of the word, colons included */
	CHECK(P("root=nbd:h:root:ext4::-H,srv:x,-x") == 1);
	CHECK(!strcmp(s.tlshostname, "srv:x")); CHECK(s.tls);
	CHECK(P("root=nbd:h:root:ext4::-q") < 0);
	CHECK_STR(e.msg, "'-q': unknown nbd-client option");
	CHECK(P("root=nbd:h:root:ext4::bs=1000") < 0);
	CHECK(P("root=nbd:h:root:ext4::-t") < 0);
	CHECK(P("root=nbd:h:root:ext4::-C,17") < 0);
	CHECK(P("root=nbd:h:root:ext4::frob") < 0);
}

TEST(cmdline_uri)
{
	CHECK(P("nbdroot=nbd://10.0.0.5:10810/root") == 1);
	CHECK_EQ(s.form, NBD_FORM_URI);
	CHECK(!strcmp(s.uri, "nbd://10.0.0.5:10810/root")); CHECK_EQ(s.index, 0);
	CHECK(P("nbdroot=nbds://alice@10.0.0.5/root?tls-psk-file=/etc/nbd/psk root=/dev/nbd1p1") == 1);
	CHECK(!strncmp(s.uri, "nbds://", 7)); CHECK_EQ(s.index, 1); CHECK_EQ(s.part, 1);
	CHECK(P("root=nbd://[::1]/x") == 1);
	CHECK(!strcmp(s.uri, "nbd://[::1]/x"));
	CHECK(P("nbdroot=nbd://h/x%zz") < 0);
	CHECK_STR(e.msg, "nbdroot=nbd://h/x%zz: ");
	/* nbdroot= wins over root=nbd: */
	CHECK(P("root=nbd:a:x nbdroot=nbd://b/y") == 1);
	CHECK_EQ(s.form, NBD_FORM_URI);
}

TEST(cmdline_words)
{
	/* the last nbdroot= wins; quotes are the kernel's */
	CHECK(P("nbdroot=a,x nbdroot=b,y") == 1);
	HOST("b");
	CHECK(P("nbdroot=\"h,my root\"") == 1);
	NAME("my root");
	CHECK(P("x nbdroot=h,r\nnbdroot=ignored,after") == 1);
	HOST("h");
	/* NBDROOT from the environment replaces nbdroot= */
	CHECK(nbd_cmdline_parse("nbdroot=a,x", 11, "c,z,nbd2", &s, &e) == 1);
	HOST("c"); CHECK_EQ(s.index, 2);
	CHECK(P("nbdroot.alt=10.0.0.6 nbdroot=nbd://10.0.0.5/root nbdroot.alt=nbd://10.0.0.7/root") == 1);
	CHECK_EQ(s.nalt, 2); CHECK(!strcmp(s.alt[0], "10.0.0.6"));
	CHECK(P("nbdroot=h,r nbdroot.alt=a nbdroot.alt=b nbdroot.alt=c nbdroot.alt=d nbdroot.alt=e") < 0);
	CHECK(P("nbdroot=h,r nbdroot.alt=") < 0);
}

TEST(cmdline_bounds)
{
	static char big[NBD_CMDLINE_MAX + 200];

	memset(big, 'a', sizeof big - 1);
	memcpy(big, "nbdroot=h,", 10);
	CHECK(nbd_cmdline_parse(big, sizeof big - 1, NULL, &s, &e) < 0);
	CHECK_STR(e.msg, "command line longer");
	big[1500] = 0;      /* one word longer than any field */
	CHECK(P(big) < 0);
	memcpy(big, "xyzroot=h,", 10);  /* a long word of no interest is skipped */
	CHECK(P(big) == 0);
	/* export names: NBD_MAX_STRING from a quoted nbdroot */
	memset(big, 'n', 1200);
	memcpy(big, "nbdroot=h:/", 11);
	big[1200] = 0;
	CHECK(P(big) == 1);
	CHECK_EQ(strlen(s.name), 1200 - 10);
	/* not NUL-terminated input: len bounds it */
	CHECK(nbd_cmdline_parse("nbdroot=h,rootXXXX", 14, NULL, &s, &e) == 1);
	NAME("root");
}

static int T(const char *tab, const char *dev)
{
	memset(&e, 0, sizeof e);
	return nbd_tab_find(tab, strlen(tab), dev, &s, &e);
}

TEST(nbdtab)
{
	const char *tab =
		"# device host export options\n"
		"nbd0\tserver.example   swapexport   swap,persist\n"
		"\n"
		"/dev/nbd1 10.0.0.5 data bs=4096,timeout=30,port=10810,conns=2,_local,no_optgo # c\n"
		"nbd2 /run/nbd.sock disk unix,certfile=/c,keyfile=/k,cacertfile=/a,tlshostname=h\n";

	CHECK(T(tab, "nbd0") == 1);
	CHECK_EQ(s.form, NBD_FORM_NBDTAB);
	HOST("server.example"); NAME("swapexport"); CHECK(s.swap && s.persist);
	CHECK(T(tab, "/dev/nbd1") == 1);
	HOST("10.0.0.5"); PORT("10810"); CHECK_EQ(s.block_size, 4096);
	CHECK_EQ(s.timeout_s, 30); CHECK_EQ(s.conns, 2); CHECK(s.no_optgo); CHECK(!s.persist);
	CHECK(T(tab, "nbd2") == 1);
	CHECK(!strcmp(s.unix_path, "/run/nbd.sock")); CHECK(!s.host[0]);
	CHECK(!strcmp(s.certfile, "/c") && !strcmp(s.keyfile, "/k"));
	CHECK(!strcmp(s.cacertfile, "/a") && !strcmp(s.tlshostname, "h"));
	CHECK(T(tab, "nbd3") == 0);
	CHECK(T(tab, "sda") < 0);
	CHECK(T("nbd0 h e frob\n", "nbd0") < 0);
	CHECK_STR(e.msg, "nbdtab line 1: unknown option 'frob'");
	CHECK(T("nbd1 h e\nnbd0 h e bs=100\n", "nbd0") < 0);
	CHECK_STR(e.msg, "line 2: bad value for 'bs'");
	CHECK(T("nbd0 h e sdp\n", "nbd0") < 0);
	CHECK_EQ(e.code, NBX_NOTSUP);
	/* alt=: the servers to spread over (or fail over to), at most 4 */
	CHECK(T("nbd0 h e conns=3,readonly,alt=h2,alt=h3:10810\n", "nbd0") == 1);
	CHECK_EQ(s.nalt, 2); CHECK(!strcmp(s.alt[0], "h2") && !strcmp(s.alt[1], "h3:10810"));
	CHECK(s.read_only); CHECK_EQ(s.conns, 3);
	CHECK(T("nbd0 h e alt=a,alt=b,alt=c,alt=d\n", "nbd0") == 1);
	CHECK(T("nbd0 h e alt=a,alt=b,alt=c,alt=d,alt=e\n", "nbd0") < 0);
	CHECK_STR(e.msg, "line 1: bad value for 'alt'");
	CHECK(T("nbd0 h e alt=\n", "nbd0") < 0);
	CHECK(T("nbd0 h\n", "nbd0") < 0);
	CHECK_STR(e.msg, "needs DEVICE HOST EXPORT");
	CHECK(T("nbd0 h e o extra\n", "nbd0") < 0);
	CHECK(T("sdb h e\n", "nbd0") < 0);
	CHECK(T("nbd0 h e frob=1\n", "nbd0") < 0);
	CHECK(T("nbd0 h e port=\n", "nbd0") < 0);
	/* Nine digits pass the number check but not an 8-byte copy. */
	CHECK(T("nbd0 h e port=000000080\n", "nbd0") == 1);
	PORT("80");
	CHECK(T("nbd0 h e port=000000000\n", "nbd0") < 0);
	CHECK(T("nbd0 h e port=65536\n", "nbd0") < 0);
}

/* The spreading form: nbdroot.spread=N over nbdroot= and its
 * nbdroot.alt= servers: -C N, read-only; whatever NBDOPTS say about -C. */
TEST(cmdline_spread)
{
	CHECK(P("nbdroot=nbd://10.0.0.5/root nbdroot.alt=10.0.0.6 nbdroot.alt=10.0.0.7 nbdroot.spread=3") == 1);
	CHECK_EQ(s.nalt, 2); CHECK_EQ(s.conns, 3); CHECK_EQ(s.read_only, 1);
	CHECK(P("nbdroot.spread=4 root=nbd:10.0.0.5:root:ext4::-C,2 nbdroot.alt=10.0.0.6") == 1);
	CHECK_EQ(s.conns, 4); CHECK_EQ(s.read_only, 1);
	/* Without it: -C from NBDOPTS, not read-only. */
	CHECK(P("root=nbd:10.0.0.5:root:ext4::-C,2 nbdroot.alt=10.0.0.6") == 1);
	CHECK_EQ(s.conns, 2); CHECK_EQ(s.read_only, 0);
	CHECK(P("nbdroot=h,r nbdroot.spread=2") < 0);          /* nothing to spread over */
	CHECK(strstr(e.msg, "no nbdroot.alt=") != NULL);
	CHECK(P("nbdroot=h,r nbdroot.alt=a nbdroot.spread=0") < 0);
	CHECK(P("nbdroot=h,r nbdroot.alt=a nbdroot.spread=17") < 0);
	CHECK(P("nbdroot=h,r nbdroot.alt=a nbdroot.spread=x") < 0);
	CHECK_EQ(e.code, NBX_USAGE);
}
