// What a query's audit event says it read: a catalog query names the
// datasets, a project session's query names the project and the workspace
// tables (issue 14, hole 5).
#include "hdhub/service/service_test_util.h"

namespace hdhub::service {
namespace {

using ::testing::ElementsAre;

class QueryEventsTest : public ProjectServiceTest {
 protected:
  // The last query.run event since `from`.
  audit::Entry LastQuery(uint64_t from) {
    std::optional<audit::Entry> last;
    for (audit::Entry& e : EntriesSince(from)) {
      if (e.event.action == "query.run") last = std::move(e);
    }
    EXPECT_TRUE(last.has_value()) << "no query.run event";
    return last.value_or(audit::Entry{});
  }
};

TEST_F(QueryEventsTest, CatalogQueryNamesTheDatasetsRead) {
  const uint64_t before = LogSize();
  ASSERT_OK(svc_->QueryCatalog(ctx("olga"), "SELECT count(*) FROM IR_BEN_R", {}, nullptr));
  audit::Entry e = LastQuery(before);
  EXPECT_FALSE(e.event.project.has_value());
  EXPECT_EQ(e.event.details["datasets"], nlohmann::json::array({"IR_BEN_R"}));
}

TEST_F(QueryEventsTest, ProjectQueryNamesTheProjectAndTheTablesRead) {
  BuildProject("p1");
  const uint64_t before = LogSize();
  ASSERT_OK(svc_->QueryProject(ctx("rita"), "p1", "SELECT count(*) FROM IR_BEN_R", {}, nullptr));
  audit::Entry e = LastQuery(before);
  EXPECT_EQ(e.event.project, "p1");
  EXPECT_EQ(e.event.details["tables"], nlohmann::json::array({"IR_BEN_R"}));
}

}  // namespace
}  // namespace hdhub::service
