#include "core/file_util.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

namespace vsv {
namespace {

TEST(FileUtilTest, AtomicWriteRefusesToReplaceADevice) {
  auto st = WriteFileAtomic("/dev/null", "x");
  ASSERT_FALSE(st.has_value());
  EXPECT_NE(st.error().message.find("not a regular file"), std::string::npos);
  struct stat info;
  ASSERT_EQ(::stat("/dev/null", &info), 0);
  EXPECT_TRUE(S_ISCHR(info.st_mode));
}

}  // namespace
}  // namespace vsv
