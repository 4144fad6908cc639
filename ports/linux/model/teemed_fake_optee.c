// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * teemed_fake_optee.ko: TEST ONLY. A platform driver named "optee" bound
 * to a platform device of its own, standing for the host's OP-TEE driver
 * bound to OP-TEE's firmware node (which a CI machine cannot have), so
 * the test can check that teemed.ko refuses to load next to it.
 */
#include <linux/module.h>
#include <linux/platform_device.h>

static struct platform_device *fake_dev;

static int fake_probe(struct platform_device *pdev)
{
	return 0;
}

static struct platform_driver fake_driver = {
	.probe = fake_probe,
	.driver = {
		.name = "optee",
	},
};

static int __init fake_init(void)
{
	int ret = platform_driver_register(&fake_driver);

	if (ret)
		return ret;
	fake_dev = platform_device_register_simple("optee", PLATFORM_DEVID_NONE,
						   NULL, 0);
	if (IS_ERR(fake_dev)) {
		platform_driver_unregister(&fake_driver);
		return PTR_ERR(fake_dev);
	}
	return 0;
}

static void __exit fake_exit(void)
{
	platform_device_unregister(fake_dev);
	platform_driver_unregister(&fake_driver);
}

module_init(fake_init);
module_exit(fake_exit);

MODULE_DESCRIPTION("teemed test only: a bound platform driver named optee");
MODULE_LICENSE("Dual BSD/GPL");
