// UsbLink without a board: opening must fail with an Error that names the VID:PID it
// looked for and says what to check, and a failed open must release everything it took
// (the ASan build's leak checker runs these). When a device with the VID:PID is really
// attached, the no-board tests skip: they cannot be run on that machine.
#include "usb_link.hpp"

#include <gtest/gtest.h>
#include <libusb.h>

#include <string>

namespace ftoe::driver {
namespace {

// Asks libusb directly (not the code under test) whether vid:pid is attached. A machine
// where libusb cannot start has no reachable device.
bool device_attached(uint16_t vid, uint16_t pid) {
    libusb_context* ctx = nullptr;
    if (libusb_init(&ctx) != 0) return false;
    libusb_device** list = nullptr;
    const ssize_t n = libusb_get_device_list(ctx, &list);
    bool found = false;
    for (ssize_t i = 0; i < n; i++) {
        libusb_device_descriptor dd{};
        if (libusb_get_device_descriptor(list[i], &dd) == 0 && dd.idVendor == vid &&
            dd.idProduct == pid)
            found = true;
    }
    if (n >= 0) libusb_free_device_list(list, 1);
    libusb_exit(ctx);
    return found;
}

#define SKIP_IF_ATTACHED(vid, pid)                             \
    if (device_attached(vid, pid))                             \
    GTEST_SKIP() << "a USB device " << usb_id_string(vid, pid) \
                 << " is attached to this machine; the no-board behaviour cannot be tested here"

void expect_mentions(const std::string& msg, const std::string& what) {
    EXPECT_NE(msg.find(what), std::string::npos) << "expected \"" << what << "\" in: " << msg;
}

TEST(UsbLink, IdIsPrintedTheWayLsusbPrintsIt) {
    EXPECT_EQ(usb_id_string(0x0403, 0x6010), "0403:6010");
    EXPECT_EQ(usb_id_string(0xABCD, 0x0001), "abcd:0001");
}

TEST(UsbLink, OpenWithNoBoardNamesVidPidAndWhatToCheck) {
    SKIP_IF_ATTACHED(0x0403, 0x6010);
    auto link = UsbLink::open();
    ASSERT_FALSE(link.ok()) << "opened " << link.value()->device() << " with no board attached";
    const std::string& msg = link.error().message;
    expect_mentions(msg, "0403:6010");
    expect_mentions(msg, "cable");
    expect_mentions(msg, "power");
    expect_mentions(msg, "udev");
    expect_mentions(msg, "root");
    expect_mentions(msg, "ftdi_sio");
    std::printf("no-board message: %s\n", msg.c_str());
}

TEST(UsbLink, OpenLooksForTheConfiguredVidPidAndSerial) {
    SKIP_IF_ATTACHED(0x1d50, 0x60ff);
    UsbConfig c;
    c.vid = 0x1d50;
    c.pid = 0x60ff;
    c.serial = "FTOE-NO-SUCH-BOARD";
    auto link = UsbLink::open(c);
    ASSERT_FALSE(link.ok());
    expect_mentions(link.error().message, "1d50:60ff");
    expect_mentions(link.error().message, "FTOE-NO-SUCH-BOARD");
    EXPECT_EQ(link.error().message.find("0403:6010"), std::string::npos)
        << "the default id must not be named: " << link.error().message;
}

TEST(UsbLink, RepeatedFailedOpensGiveTheSameErrorAndReleaseEverything) {
    SKIP_IF_ATTACHED(0x0403, 0x6010);
    auto first = UsbLink::open();
    ASSERT_FALSE(first.ok());
    for (int i = 0; i < 50; i++) {
        auto again = UsbLink::open();
        ASSERT_FALSE(again.ok()) << "attempt " << i;
        EXPECT_EQ(again.error().message, first.error().message) << "attempt " << i;
    }
}

TEST(UsbLink, ConfigWithoutTransfersIsRefused) {
    UsbConfig c;
    c.in_transfers = 0;
    auto link = UsbLink::open(c);
    ASSERT_FALSE(link.ok());
    expect_mentions(link.error().message, "in_transfers");
}

}  // namespace
}  // namespace ftoe::driver
