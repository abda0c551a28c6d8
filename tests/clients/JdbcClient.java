// pgJDBC (Debian's libpostgresql-jdbc-java) as a BI tool uses it, against
// `hdhub serve` or a real PostgreSQL 15: DatabaseMetaData getTables and
// getColumns, a PreparedStatement with parameters, ResultSetMetaData types.
// Run with the source launcher:
//   java -cp /usr/share/java/postgresql.jar JdbcClient.java tests/clients/statements.tsv
// Connection from the libpq environment (PGHOST, PGPORT, PGDATABASE, PGUSER,
// PGPASSWORD, PGSSLMODE, PGSSLROOTCERT). Prints one line per fact, the same
// lines serve_clients_test.sh expects from both servers.
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

public class JdbcClient {
  static String env(String name) {
    String v = System.getenv(name);
    if (v == null) throw new IllegalStateException(name + " is not set");
    return v;
  }

  // Each column's label and JDBC/PostgreSQL types, then each row.
  static void print(String label, ResultSet rs) throws Exception {
    ResultSetMetaData md = rs.getMetaData();
    StringBuilder cols = new StringBuilder();
    for (int i = 1; i <= md.getColumnCount(); i++) {
      if (i > 1) cols.append(',');
      cols.append(md.getColumnLabel(i)).append(':').append(md.getColumnTypeName(i)).append('/')
          .append(md.getColumnType(i))
          .append('(').append(md.getPrecision(i)).append(',').append(md.getScale(i)).append(')');
    }
    System.out.println(label + " columns " + cols);
    while (rs.next()) {
      StringBuilder row = new StringBuilder();
      for (int i = 1; i <= md.getColumnCount(); i++) {
        if (i > 1) row.append('|');
        Object v = rs.getObject(i);
        row.append(v == null ? "NULL" : v.getClass().getSimpleName() + "=" + v);
      }
      System.out.println(label + " row " + row);
    }
  }

  public static void main(String[] args) throws Exception {
    String url = "jdbc:postgresql://" + env("PGHOST") + ":" + env("PGPORT") + "/" + env("PGDATABASE");
    Properties p = new Properties();
    p.setProperty("user", env("PGUSER"));
    p.setProperty("password", env("PGPASSWORD"));
    p.setProperty("sslmode", env("PGSSLMODE"));
    if (System.getenv("PGSSLROOTCERT") != null) p.setProperty("sslrootcert", System.getenv("PGSSLROOTCERT"));
    try (Connection con = DriverManager.getConnection(url, p)) {
      DatabaseMetaData meta = con.getMetaData();
      System.out.println("product " + meta.getDatabaseProductName() + " " + meta.getDatabaseMajorVersion());
      try (ResultSet rs = meta.getSchemas()) {
        while (rs.next()) System.out.println("schema " + rs.getString("TABLE_SCHEM"));
      }
      try (ResultSet rs = meta.getTables(null, null, "%", new String[] {"TABLE", "VIEW"})) {
        while (rs.next())
          System.out.println("table " + rs.getString("TABLE_SCHEM") + "." + rs.getString("TABLE_NAME") + " "
                             + rs.getString("TABLE_TYPE"));
      }
      try (ResultSet rs = meta.getColumns(null, null, "IR_BEN_R", "%")) {
        while (rs.next())
          System.out.println("column " + rs.getString("TABLE_NAME") + "." + rs.getString("COLUMN_NAME") + " "
                             + rs.getString("TYPE_NAME") + "/" + rs.getInt("DATA_TYPE") + " position "
                             + rs.getInt("ORDINAL_POSITION") + " nullable " + rs.getString("IS_NULLABLE")
                             + " size " + rs.getInt("COLUMN_SIZE") + "," + rs.getInt("DECIMAL_DIGITS") + " default "
                             + rs.getString("COLUMN_DEF") + " remarks " + rs.getString("REMARKS"));
      }
      try (ResultSet rs = meta.getPrimaryKeys(null, null, "IR_BEN_R")) {
        while (rs.next()) System.out.println("primary key " + rs.getString("COLUMN_NAME"));
      }
      try (ResultSet rs = meta.getIndexInfo(null, null, "IR_BEN_R", false, true)) {
        while (rs.next()) System.out.println("index " + rs.getString("INDEX_NAME"));
      }
      // The shared statements (tests/clients/statements.tsv, its path in argv[0]);
      // $1 takes 2. Executed more than prepareThreshold (5) times, pgJDBC
      // switches to a named server statement and binary results without Describe.
      for (String line : Files.readAllLines(Path.of(args[0]))) {
        String[] f = line.split("\t", 2);
        try (PreparedStatement ps = con.prepareStatement(f[1].replace("$1", "?"))) {
          int times = f[1].contains("$1") ? 7 : 1;
          for (int i = 1; i <= times; i++) {
            if (times > 1) ps.setInt(1, 2);
            try (ResultSet rs = ps.executeQuery()) {
              if (i == 1 || i == times) print(f[0] + (i > 1 ? "#" + i : ""), rs);
            }
          }
        }
      }
      try (Statement st = con.createStatement();
           ResultSet rs = st.executeQuery("SHOW TRANSACTION ISOLATION LEVEL")) {
        print("isolation", rs);
      }
    }
    System.out.println("jdbc ok");
  }
}
