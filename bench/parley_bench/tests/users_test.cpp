#include "users.hpp"

#include <cstdio>
#include <fstream>
#include <regex>

#include <gtest/gtest.h>

namespace parley_bench {
namespace {

TEST(Users, MintsTheSameTokenAsOtherHs256Implementations) {
  // Computed independently with Python's hmac + base64.
  EXPECT_EQ(mint_token("secret", "u-1", "Ann", 1700000000),
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1LTEiLCJuYW1lIjoiQW5uIiwiaWF0IjoxNzAwMDAwMDAwLCJleHAiOjIw"
            "MTUzNjAwMDB9.J8d7RqgdvGvChlHd9wx1pPaqNUovtmG69jAVNYOE9ks");
}

TEST(Users, RandomUuidsAreVersion4) {
  std::regex uuid("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  for (const auto& user : make_random_users(100, "U")) EXPECT_TRUE(std::regex_match(user.id, uuid)) << user.id;
}

TEST(Users, WriteThenLoadKeepsEverything) {
  auto users = make_random_users(3, "T");
  ensure_tokens(users, "s");
  users[1].name = "Quote \" and \\ and \xc3\xa9";
  char path[] = "/tmp/parley-bench-users-XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  write_users(path, users);
  auto loaded = load_users(path);
  std::remove(path);
  ASSERT_EQ(loaded.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(loaded[i].id, users[i].id);
    EXPECT_EQ(loaded[i].name, users[i].name);
    EXPECT_EQ(loaded[i].token, users[i].token);
  }
}

TEST(Users, MissingTokensNeedASecret) {
  auto users = make_random_users(1, "T");
  EXPECT_THROW(ensure_tokens(users, ""), std::runtime_error);
  ensure_tokens(users, "k");
  EXPECT_FALSE(users[0].token.empty());
}

TEST(Users, BadFilesAreExplained) {
  EXPECT_THROW(load_users("/nonexistent/users.json"), std::runtime_error);
  char path[] = "/tmp/parley-bench-users-XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  std::ofstream(path) << R"([{"name":"no id"}])";
  EXPECT_THROW(load_users(path), std::runtime_error);
  std::remove(path);
}

}  // namespace
}  // namespace parley_bench
