#!/bin/sh
# run.sh GUEST_SCRIPT PORT... : boot the Debian kernel with nbdbox.static and
# run GUEST_SCRIPT; guest reaches host 127.0.0.1:PORT at 10.0.2.100:PORT.
set -e
G=$1; shift
R=/tmp/pk/root; K=$(ls $R/lib/modules); M=$R/lib/modules/$K/kernel
I=/tmp/vmt/initrd; rm -rf $I; mkdir -p $I/bin $I/mod $I/dev $I/proc $I/sys $I/tmp $I/mnt
cp /bin/busybox $I/bin/busybox
for a in sh mount insmod ifconfig route dd md5sum cat echo sleep ls poweroff mkdir grep blockdev head mke2fs umount seq kill ps cmp sync wc tr od cut; do ln -s busybox $I/bin/$a; done
cp /work/wt-platform/nbdbox.static $I/bin/nbdbox
for a in nbd-attach nbd-detach nbd-probe nbd-list; do ln -s nbdbox $I/bin/$a; done
cp $M/drivers/block/nbd.ko $M/drivers/net/ethernet/intel/e1000/e1000.ko $M/lib/crc16.ko $M/fs/mbcache.ko $M/fs/jbd2/jbd2.ko $M/fs/ext4/ext4.ko $M/crypto/crc32c_generic.ko $I/mod/
cp $G $I/test.sh
cat > $I/init <<'EOI'
#!/bin/sh
export PATH=/bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
for m in nbd e1000 crc16 mbcache jbd2 crc32c_generic ext4; do insmod /mod/$m.ko; done
ifconfig lo up; ifconfig eth0 10.0.2.15 netmask 255.255.255.0 up; route add default gw 10.0.2.2
sleep 2
echo "=== guest start"
sh /test.sh 2>&1
echo "=== guest end"
poweroff -f
EOI
chmod +x $I/init $I/test.sh
(cd $I && find . | cpio -o -H newc 2>/dev/null | gzip -1) > /tmp/vmt/initrd.gz
FWD=""
for p in "$@"; do FWD="$FWD,guestfwd=tcp:10.0.2.100:$p-cmd:/bin/busybox nc 127.0.0.1 $p"; done
timeout ${VMTIMEOUT:-300} qemu-system-x86_64 -accel tcg -m 512 -smp 2 -nographic -no-reboot \
  -kernel $R/boot/vmlinuz-$K -initrd /tmp/vmt/initrd.gz -append "console=ttyS0 quiet panic=-1" \
  -netdev "user,id=n0,restrict=on$FWD" -device e1000,netdev=n0
