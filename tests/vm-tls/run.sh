#!/bin/sh
# run.sh BIN GUEST_SCRIPT FILESDIR PORT...: boot the Debian kernel with BIN
# as nbdbox, FILESDIR copied to /f, run GUEST_SCRIPT. QEMU_CPU (e.g. max:
# AES-NI for both kernel and user-space crypto) is passed to -cpu.
set -e
B=$1; G=$2; F=$3; shift 3
# The Debian kernel package as tests/vm/kernel.sh fetches and caches it.
eval "$(sh "$(dirname "$0")/../vm/kernel.sh")"
R=$(dirname "$(dirname "$KERNEL")"); K=$(ls $R/lib/modules); M=$R/lib/modules/$K/kernel
I=/tmp/vmtls/initrd; rm -rf $I; mkdir -p $I/bin $I/mod $I/dev $I/proc $I/sys $I/tmp $I/mnt $I/f
cp /bin/busybox $I/bin/busybox
for a in sh mount insmod ifconfig route dd md5sum cat echo sleep ls poweroff mkdir grep blockdev head umount seq kill ps cmp sync wc tr od cut; do ln -s busybox $I/bin/$a; done
ln -s busybox $I/bin/time; ln -s busybox $I/bin/rmmod; mkdir -p $I/lib64 $I/etc $I/run $I/var/run
cp $B $I/bin/nbdbox
for a in nbd-attach nbd-detach nbd-probe nbd-list; do ln -s nbdbox $I/bin/$a; done
cp $M/drivers/block/nbd.ko $M/drivers/net/ethernet/intel/e1000/e1000.ko $M/net/tls/tls.ko \
   $M/crypto/gf128mul.ko $M/crypto/ghash-generic.ko $M/crypto/ctr.ko $M/crypto/gcm.ko \
   $M/lib/crypto/libchacha.ko $M/lib/crypto/libpoly1305.ko $M/crypto/chacha_generic.ko \
   $M/crypto/poly1305_generic.ko $M/crypto/chacha20poly1305.ko \
   $M/crypto/cryptd.ko $M/crypto/crypto_simd.ko $M/arch/x86/crypto/aesni-intel.ko \
   $M/arch/x86/crypto/ghash-clmulni-intel.ko $I/mod/
cp -r $F/. $I/f/
# EXTRA="prog ...": host programs with their shared libraries (benchmarks).
for x in ${EXTRA:-}; do
	cp "$(command -v $x)" $I/bin/
	for l in $(ldd "$(command -v $x)" | grep -o '/[^ ]*'); do
		mkdir -p $I$(dirname $l); cp -L $l $I$l
	done
done
cp $G $I/test.sh
cat > $I/init <<'EOI'
#!/bin/sh
export PATH=/bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
for m in nbd e1000 gf128mul ghash-generic ctr gcm libchacha libpoly1305 chacha_generic poly1305_generic chacha20poly1305 cryptd crypto_simd aesni-intel ghash-clmulni-intel; do insmod /mod/$m.ko 2>/dev/null; done
ifconfig lo up; ifconfig eth0 10.0.2.15 netmask 255.255.255.0 up; route add default gw 10.0.2.2
sleep 2
echo "=== guest start"
sh /test.sh 2>&1
echo "=== guest end"
poweroff -f
EOI
chmod +x $I/init $I/test.sh
(cd $I && find . | cpio -o -H newc 2>/dev/null | gzip -1) > /tmp/vmtls/initrd.gz
FWD=""
for p in "$@"; do FWD="$FWD,guestfwd=tcp:10.0.2.100:$p-cmd:/bin/busybox nc 127.0.0.1 $p"; done
timeout ${VMTIMEOUT:-300} qemu-system-x86_64 -accel tcg ${QEMU_CPU:+-cpu $QEMU_CPU} -m 512 -smp 2 -nographic -no-reboot \
  -kernel $R/boot/vmlinuz-$K -initrd /tmp/vmtls/initrd.gz -append "console=ttyS0 quiet panic=-1" \
  -netdev "user,id=n0,restrict=on$FWD" -device e1000,netdev=n0
