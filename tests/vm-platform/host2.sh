#!/bin/sh
cd /tmp/vmt
dd if=/dev/urandom of=img bs=1M count=16 2>/dev/null
md5sum < img | cut -d' ' -f1 > want.md5
nbdkit -f -i 127.0.0.1 -p 20301 memory 64M & PA=$!
startB() { nbdkit -f -i 127.0.0.1 -p 20302 --filter=rate file /tmp/vmt/img rate=4M & PB=$!; }
startB
cp /tmp/vmt/t2.sh /tmp/vmt/t2x.sh
# the guest reads the wanted md5 from /want.md5: add it to the initrd via the script
sed -i "1i echo $(cat want.md5) > /want.md5" /tmp/vmt/t2x.sh
VMTIMEOUT=400 ./run.sh /tmp/vmt/t2x.sh 20301 20302 > log2 2>&1 &
Q=$!
n=0
while kill -0 $Q 2>/dev/null; do
	c=$(grep -c KILL-NOW log2)
	if [ "$c" -gt "$n" ]; then
		n=$c; sleep 1; kill -9 $PB; echo "host: killed server B" >&2; sleep 4; startB; echo "host: restarted B" >&2
	fi
	sleep 0.3
done
kill $PA $PB
