set -x
nbd-probe /dev/nbd0; echo "probe-unattached rc=$?"
dev=$(nbd-attach 10.0.2.100 20201); echo "attach rc=$? dev=$dev"
nbd-probe $dev; echo "probe rc=$?"
nbd-probe --json $dev
cat /sys/block/nbd0/size /sys/block/nbd0/queue/logical_block_size
dd if=/dev/urandom of=/tmp/p bs=1M count=4 2>/dev/null
dd if=/tmp/p of=$dev bs=1M oflag=direct 2>&1 | tail -1
md5sum /tmp/p
dd if=$dev bs=1M count=4 iflag=direct 2>/dev/null | md5sum
nbd-detach $dev; echo "detach rc=$?"
nbd-probe $dev; echo "probe-after rc=$?"
nbd-detach $dev; echo "detach-again rc=$?"
dev=$(nbd-attach 10.0.2.100 20201); echo "attach2 rc=$? dev=$dev"
dd if=$dev bs=1M count=4 iflag=direct 2>/dev/null | md5sum
nbd-detach $dev; echo "detach2 rc=$?"
dev=$(nbd-attach --ioctl 10.0.2.100 20201 nbd2); echo "ioctl attach rc=$? dev=$dev"
nbd-probe $dev; echo "probe rc=$?"
dd if=$dev bs=1M count=4 iflag=direct 2>/dev/null | md5sum
nbd-detach $dev; echo "ioctl detach rc=$?"
sleep 1; ps | grep -v grep | grep nbd
nbd-probe $dev; echo "probe-after rc=$?"
