A=10.0.2.100; PA=20301; PB=20302
echo "--- -C 4"
dev=$(nbd-attach -C 4 $A $PA); echo "C4 attach rc=$? dev=$dev"
ls /sys/block/${dev#/dev/}/ 2>/dev/null | head -0
dd if=/dev/urandom of=/tmp/p bs=1M count=16 2>/dev/null
dd if=/tmp/p of=$dev bs=1M oflag=direct 2>/dev/null
nbd-detach $dev; echo "C4 detach rc=$?"
dev=$(nbd-attach -C 4 $A $PA); echo "C4 reattach rc=$? dev=$dev"
a=$(md5sum < /tmp/p); b=$(dd if=$dev bs=1M count=16 iflag=direct 2>/dev/null | md5sum)
[ "$a" = "$b" ] && echo "C4 md5 OK" || echo "C4 md5 BAD $a $b"
nbd-detach $dev
echo "--- -r"
dev=$(nbd-attach -r $A $PA); echo "ro attach rc=$? dev=$dev ro=$(cat /sys/block/${dev#/dev/}/ro)"
dd if=/dev/zero of=$dev bs=4k count=1 oflag=direct 2>/dev/null; echo "ro write rc=$? (want !=0)"
nbd-probe -s $dev | grep READ_ONLY
nbd-detach $dev
echo "--- ext4 + identifier + -b 4096"
dev=$(nbd-attach -b 4096 --identifier disk-A $A $PA nbd5); echo "attach rc=$? dev=$dev bs=$(cat /sys/block/nbd5/queue/logical_block_size) backend=$(cat /sys/block/nbd5/backend)"
nbd-probe $dev | grep backend
mke2fs -q -b 4096 $dev 2048 >/dev/null 2>&1; echo "mke2fs rc=$?"
mount -t ext4 $dev /mnt && echo hello-nbdbox > /mnt/f && umount /mnt; echo "write-fs rc=$?"
nbd-detach $dev
dev=$(nbd-attach -b 4096 --identifier disk-A $A $PA nbd5)
mount -t ext4 $dev /mnt && cat /mnt/f && umount /mnt
nbd-detach $dev
echo "--- busy"
dev=$(nbd-attach $A $PA nbd1); nbd-attach $A $PA nbd1; echo "busy rc=$?"; nbd-attach --ioctl $A $PA nbd1; echo "busy ioctl rc=$?"; nbd-detach -a; echo "detach -a rc=$?"
nbd-probe nbd1; echo "probe rc=$?"
echo "--- persist netlink"
want=$(cat /want.md5)
dev=$(nbd-attach -p $A $PB); echo "persist attach rc=$? dev=$dev"
ps | grep -v grep | grep nbd-attach
echo KILL-NOW
got=$(dd if=$dev bs=64k iflag=direct 2>/dev/null | md5sum | cut -d' ' -f1)
[ "$got" = "$want" ] && echo "persist-nl md5 OK" || echo "persist-nl md5 BAD $got $want"
dmesg | grep -i nbd | tail -5
nbd-detach $dev; echo "detach rc=$?"; sleep 3; ps | grep -v grep | grep nbd-attach; echo "(no daemon above = ok)"
sleep 6
echo "--- persist ioctl"
dev=$(nbd-attach -p --ioctl $A $PB); echo "persist ioctl attach rc=$? dev=$dev"
echo KILL-NOW
got=$(dd if=$dev bs=64k iflag=direct 2>/dev/null | md5sum | cut -d' ' -f1)
[ "$got" = "$want" ] && echo "persist-ioctl md5 (during) OK" || echo "persist-ioctl md5 (during) BAD"
for i in $(seq 1 30); do nbd-probe $dev >/dev/null && break; sleep 1; done
nbd-probe $dev | grep -E "attached|pid"
got=$(dd if=$dev bs=64k iflag=direct 2>/dev/null | md5sum | cut -d' ' -f1)
[ "$got" = "$want" ] && echo "persist-ioctl md5 (after reconnect) OK" || echo "persist-ioctl md5 (after) BAD"
nbd-detach $dev; echo "detach rc=$?"; sleep 3; ps | grep -v grep | grep nbd-attach; echo "(no daemon above = ok)"
nbd-probe $dev; echo "probe rc=$?"
