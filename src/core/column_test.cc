#include "core/column.h"

#include <gtest/gtest.h>

#include <array>

namespace vsv {
namespace {

TEST(ColumnTest, OwnedColumnGrowsAndReads) {
  Column<int> c;
  for (int i = 0; i < 1000; ++i) c.push_back(i);  // several reallocations
  ASSERT_EQ(c.size(), 1000u);
  EXPECT_FALSE(c.is_view());
  EXPECT_EQ(c[0], 0);
  EXPECT_EQ(c.back(), 999);
  EXPECT_EQ(c.data(), &c[0]);
}

TEST(ColumnTest, ViewReadsTheOwnersMemoryAndKeepsItAlive) {
  auto memory = std::make_shared<std::array<int, 3>>(std::array<int, 3>{7, 8, 9});
  Column<int> view = Column<int>::View(*memory, memory);
  const int* where = memory->data();
  memory.reset();  // the view still holds the owner
  EXPECT_TRUE(view.is_view());
  EXPECT_EQ(view.data(), where);
  EXPECT_EQ(view, (Column<int>{7, 8, 9}));
}

TEST(ColumnTest, ChangingAViewCopiesItAndLeavesTheOwnerUntouched) {
  auto memory = std::make_shared<std::array<int, 3>>(std::array<int, 3>{1, 2, 3});
  Column<int> view = Column<int>::View(*memory, memory);
  view.push_back(4);
  EXPECT_FALSE(view.is_view());
  EXPECT_EQ(view, (Column<int>{1, 2, 3, 4}));
  EXPECT_EQ((*memory)[2], 3);
  view.mutable_data()[0] = 10;
  EXPECT_EQ((*memory)[0], 1);
}

TEST(ColumnTest, CopiesAndMovesKeepTheirValues) {
  Column<int> owned{1, 2, 3};
  Column<int> copy = owned;
  EXPECT_NE(copy.data(), owned.data());
  EXPECT_EQ(copy, owned);
  Column<int> moved = std::move(copy);
  EXPECT_EQ(moved, owned);
  EXPECT_TRUE(copy.empty());  // NOLINT(bugprone-use-after-move): moved-from is empty by contract

  auto memory = std::make_shared<std::array<int, 2>>(std::array<int, 2>{5, 6});
  Column<int> view = Column<int>::View(*memory, memory);
  Column<int> view_copy = view;
  EXPECT_TRUE(view_copy.is_view());
  EXPECT_EQ(view_copy.data(), view.data());  // views share, nothing is copied
  owned = view_copy;
  EXPECT_EQ(owned, (Column<int>{5, 6}));
}

}  // namespace
}  // namespace vsv
