#!/bin/sh
# Runs inside the image's chroot at build time.
set -e
kver=$(ls /lib/modules | head -1)

# DAHDI without a card: two local dynamic spans looped to each other; channels 1-24 are the
# box's side (FXS signalling = an FXO port), 25-48 the test exchange's.
echo "options dahdi auto_assign_spans=1" > /etc/modprobe.d/hotline-dahdi.conf
cat > /etc/dahdi/system.conf <<'CONF'
dynamic=loc,1:0,24,0
dynamic=loc,1:1,24,0
fxsks=1-24
fxoks=25-48
loadzone=cn
defaultzone=cn
CONF

# gpio-sim is not built into Debian's 6.1 kernel: build it (and the irq simulator it needs)
# from Debian's kernel source as out-of-tree modules.
src=$(ls /usr/src/linux-source-6.1.tar.xz)
mkdir -p /usr/src/gpio-sim && cd /usr/src/gpio-sim
tar -xf "$src" --strip-components=1 --wildcards '*/drivers/gpio/gpio-sim.c' '*/drivers/gpio/gpiolib.h' '*/kernel/irq/irq_sim.c'
cp drivers/gpio/gpio-sim.c drivers/gpio/gpiolib.h kernel/irq/irq_sim.c .
# 6.1 does not export irq_to_desc to modules; 6.2 reads the trigger type through the exported
# irq_get_irq_data instead (the same change, applied here).
sed -i 's/irq_get_trigger_type(irq)/irqd_get_trigger_type(irq_get_irq_data(irq))/' gpio-sim.c
sed -i 's/handle_simple_irq(irq_to_desc(irqnum))/generic_handle_irq(irqnum)/' irq_sim.c
printf '\n#include <linux/module.h>\nMODULE_LICENSE("GPL");\n' >> irq_sim.c
printf 'obj-m += gpio-sim.o irq_sim.o\n' > Makefile
make -s -C /lib/modules/$kver/build M=$PWD modules
install -D -m 644 gpio-sim.ko /lib/modules/$kver/extra/gpio-sim.ko
install -D -m 644 irq_sim.ko /lib/modules/$kver/extra/irq_sim.ko
depmod $kver

# The test unit: runs the shared test script at boot when the kernel command line asks.
cat > /etc/systemd/system/hotline-vm-test.service <<'UNIT'
[Unit]
Description=Hotline hardware tests (shared from the host)
ConditionKernelCommandLine=hotline.test
After=local-fs.target systemd-modules-load.service
SuccessAction=poweroff-force
FailureAction=poweroff-force

[Service]
Type=oneshot
ExecStart=/bin/sh -c 'mkdir -p /mnt/share && mount -t 9p -o trans=virtio,version=9p2000.L share /mnt/share && exec sh /mnt/share/run-in-guest.sh'
StandardOutput=journal+console
StandardError=journal+console

[Install]
WantedBy=multi-user.target
UNIT
systemctl enable hotline-vm-test.service
echo root:hotline | chpasswd
