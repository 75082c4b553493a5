// The Apache Jena column of the benchmark (bench/run.py --engines jena): Jena ARQ in memory
// answers the catalogue's queries over the same quads as the default engine, and Jena SHACL
// checks the same data against the project's shapes. Compiled and started by scripts/jena;
// bench/run.py and tests/test_jena.py compare its answers with the default engine's.
//
//   java -cp CLASSPATH IkgJena --data DATA.nq --queries MANIFEST --out DIR
//        [--modes union,merged] [--repeat N] [--warm-up N] [--timeout SECONDS]
//        [--shacl NAME=FILE,FILE...]...
//
// MANIFEST has one query a line: id TAB query file TAB result file name (no folder). For each
// mode, DIR/MODE/NAME gets the last answer (SPARQL JSON results; N-Triples for CONSTRUCT), and
// DIR/summary.json the times: each query run --warm-up times (default 1) to warm up, then
// --repeat times (default 3); the median of the wall times (seconds) and of the CPU time the
// whole Java process used (cpu_seconds: the query's thread, the JIT compiler and the garbage
// collector), which other work on a shared machine disturbs far less than the wall time.
// A query that fails or runs out of time is recorded with its error; the others still run.
// Each --shacl names a set of shapes files: Jena SHACL validates the data against each set,
// DIR/shacl-NAME.nt gets its report and summary.json its times and result count (or the error
// with which Jena refused the shapes).
//
// The modes hold the data as:
//   union   the named graphs as loaded, with the union of them as the default graph (as
//           ikg's engines do: GRAPH ?g sees each file's graph);
//   merged  every triple in one default graph and no named graphs (how Jena is often run).

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.jena.atlas.json.JSON;
import org.apache.jena.atlas.json.JsonNumber;
import org.apache.jena.atlas.json.JsonObject;
import org.apache.jena.graph.Graph;
import org.apache.jena.graph.Triple;
import org.apache.jena.query.Query;
import org.apache.jena.query.QueryExecution;
import org.apache.jena.query.QueryCancelledException;
import org.apache.jena.query.QueryFactory;
import org.apache.jena.query.ResultSetFactory;
import org.apache.jena.query.ResultSetFormatter;
import org.apache.jena.query.ResultSetRewindable;
import org.apache.jena.riot.Lang;
import org.apache.jena.riot.RDFDataMgr;
import org.apache.jena.riot.RDFParser;
import org.apache.jena.riot.system.StreamRDFBase;
import org.apache.jena.shacl.ShaclValidator;
import org.apache.jena.shacl.Shapes;
import org.apache.jena.shacl.ValidationReport;
import org.apache.jena.sparql.core.DatasetGraph;
import org.apache.jena.sparql.core.DatasetGraphFactory;
import org.apache.jena.sparql.core.DatasetGraphMapLink;
import org.apache.jena.sparql.core.Quad;
import org.apache.jena.sparql.graph.GraphFactory;

public final class IkgJena {
    private static final class Arguments {
        final List<Path> data = new ArrayList<>();
        final java.util.Map<String, List<Path>> shapes = new java.util.LinkedHashMap<>();
        Path queries;
        Path out;
        List<String> modes = Arrays.asList("union", "merged");
        int repeat = 3;
        int warmUp = 1;
        long timeoutSeconds = 600;
    }

    private static final class Entry {
        final String id;
        final String text;
        final String resultName;

        Entry(String id, String text, String resultName) {
            this.id = id;
            this.text = text;
            this.resultName = resultName;
        }
    }

    /** One answer, materialised: the rows of a SELECT, the boolean of an ASK, the triples of a
     *  CONSTRUCT or DESCRIBE. */
    private static final class Answer {
        ResultSetRewindable rows;
        Boolean bool;
        Graph graph;

        long size() {
            if (rows != null) return rows.size();
            if (graph != null) return graph.size();
            return 1;
        }
    }

    public static void main(String[] argv) throws Exception {
        Arguments arguments = parse(argv);
        List<Entry> entries = readManifest(arguments.queries);
        Files.createDirectories(arguments.out);
        JsonObject summary = new JsonObject();
        summary.put("jena", org.apache.jena.Jena.VERSION);
        summary.put("java", System.getProperty("java.version"));
        summary.put("max_heap_mb", Runtime.getRuntime().maxMemory() / (1024 * 1024));
        summary.put("timeout_seconds", arguments.timeoutSeconds);
        JsonObject modes = new JsonObject();
        summary.put("modes", modes);
        Graph merged = null;
        for (String mode : arguments.modes) {
            long started = System.nanoTime();
            DatasetGraph dataset;
            long size;
            if (mode.equals("union")) {
                DatasetGraph named = DatasetGraphFactory.create();
                for (Path path : arguments.data) RDFDataMgr.read(named, path.toString(), Lang.NQUADS);
                // The union of the named graphs as the default graph, the named graphs beside
                // it: a link dataset, so the graphs are not copied.
                DatasetGraphMapLink linked = (DatasetGraphMapLink) DatasetGraphFactory.createGeneral();
                linked.setDefaultGraph(named.getUnionGraph());
                named.listGraphNodes().forEachRemaining(name -> linked.addGraph(name, named.getGraph(name)));
                dataset = linked;
                size = countQuads(named);
            } else if (mode.equals("merged")) {
                merged = readMerged(arguments.data);
                dataset = DatasetGraphFactory.wrap(merged);
                size = merged.size();
            } else {
                throw new IllegalArgumentException("unknown mode " + mode + " (use union or merged)");
            }
            JsonObject measured = new JsonObject();
            measured.put("load_seconds", JsonNumber.value(seconds(System.nanoTime() - started)));
            measured.put("statements", size);
            Path folder = arguments.out.resolve(mode);
            Files.createDirectories(folder);
            JsonObject queries = new JsonObject();
            for (Entry entry : entries) {
                queries.put(entry.id, runQuery(entry, dataset, arguments, folder));
            }
            measured.put("queries", queries);
            modes.put(mode, measured);
            dataset = null;
            System.gc();
        }
        if (!arguments.shapes.isEmpty()) {
            if (merged == null) merged = readMerged(arguments.data);
            JsonObject shacl = new JsonObject();
            for (var set : arguments.shapes.entrySet()) {
                shacl.put(set.getKey(), runShacl(arguments, set.getKey(), set.getValue(), merged));
            }
            summary.put("shacl", shacl);
        }
        try (OutputStream output = Files.newOutputStream(arguments.out.resolve("summary.json"))) {
            JSON.write(output, summary);
        }
    }

    private static JsonObject runQuery(Entry entry, DatasetGraph dataset, Arguments arguments, Path folder)
            throws IOException {
        JsonObject measured = new JsonObject();
        try {
            Answer answer = null;
            for (int run = 0; run < arguments.warmUp; run++) {
                answer = answer(entry.text, dataset, arguments.timeoutSeconds);
            }
            List<Double> times = new ArrayList<>();
            List<Double> cpuTimes = new ArrayList<>();
            for (int run = 0; run < arguments.repeat; run++) {
                long started = System.nanoTime();
                long cpuStarted = processCpuNanoseconds();
                answer = answer(entry.text, dataset, arguments.timeoutSeconds);
                cpuTimes.add(seconds(processCpuNanoseconds() - cpuStarted));
                times.add(seconds(System.nanoTime() - started));
            }
            measured.put("seconds", JsonNumber.value(median(times)));
            measured.put("cpu_seconds", JsonNumber.value(median(cpuTimes)));
            measured.put("rows", answer.size());
            write(answer, folder.resolve(entry.resultName));
        } catch (QueryCancelledException error) {
            // Not a failure of Jena's: it did not finish within --timeout, which the caller
            // reports as a lower bound of its time.
            measured.put("error", describe(error));
            measured.put("timed_out_seconds", arguments.timeoutSeconds);
        } catch (Exception | StackOverflowError error) {
            measured.put("error", describe(error));
        }
        return measured;
    }

    /** Parse, execute and read the whole answer into memory: what a caller needs before it can
     *  use the rows, and what the other engines' times include. */
    private static Answer answer(String text, DatasetGraph dataset, long timeoutSeconds) {
        Query query = QueryFactory.create(text);
        Answer answer = new Answer();
        try (QueryExecution execution = QueryExecution.create().query(query).dataset(dataset)
                .timeout(timeoutSeconds, TimeUnit.SECONDS).build()) {
            if (query.isSelectType()) {
                answer.rows = ResultSetFactory.copyResults(execution.execSelect());
            } else if (query.isAskType()) {
                answer.bool = execution.execAsk();
            } else {
                Graph graph = GraphFactory.createDefaultGraph();
                (query.isConstructType() ? execution.execConstructTriples() : execution.execDescribeTriples())
                        .forEachRemaining(graph::add);
                answer.graph = graph;
            }
        }
        return answer;
    }

    private static void write(Answer answer, Path path) throws IOException {
        Path partial = path.resolveSibling(path.getFileName() + ".part");
        try (OutputStream output = Files.newOutputStream(partial)) {
            if (answer.rows != null) {
                answer.rows.reset();
                ResultSetFormatter.outputAsJSON(output, answer.rows);
            } else if (answer.bool != null) {
                ResultSetFormatter.outputAsJSON(output, answer.bool);
            } else {
                RDFDataMgr.write(output, answer.graph, Lang.NTRIPLES);
            }
        }
        Files.move(partial, path, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    /** Jena SHACL over every triple in one graph (as pySHACL gets ikg's union): the time to read
     *  the shapes, and the time to validate (warmed up, then --repeat times, median). */
    private static JsonObject runShacl(Arguments arguments, String name, List<Path> files, Graph data)
            throws IOException {
        JsonObject measured = new JsonObject();
        measured.put("data_triples", data.size());
        Graph shapesGraph = GraphFactory.createDefaultGraph();
        for (Path path : files) RDFDataMgr.read(shapesGraph, path.toString());
        measured.put("shapes_triples", shapesGraph.size());
        try {
            long started = System.nanoTime();
            Shapes shapes = Shapes.parse(shapesGraph);
            measured.put("parse_seconds", JsonNumber.value(seconds(System.nanoTime() - started)));
            ValidationReport report = null;
            for (int run = 0; run < arguments.warmUp; run++) {
                report = ShaclValidator.get().validate(shapes, data);
            }
            List<Double> times = new ArrayList<>();
            List<Double> cpuTimes = new ArrayList<>();
            for (int run = 0; run < arguments.repeat; run++) {
                started = System.nanoTime();
                long cpuStarted = processCpuNanoseconds();
                report = ShaclValidator.get().validate(shapes, data);
                cpuTimes.add(seconds(processCpuNanoseconds() - cpuStarted));
                times.add(seconds(System.nanoTime() - started));
            }
            measured.put("seconds", JsonNumber.value(median(times)));
            measured.put("cpu_seconds", JsonNumber.value(median(cpuTimes)));
            measured.put("conforms", report.conforms());
            measured.put("results", report.getEntries().size());
            Path path = arguments.out.resolve("shacl-" + name + ".nt");
            try (OutputStream output = Files.newOutputStream(path)) {
                RDFDataMgr.write(output, report.getGraph(), Lang.NTRIPLES);
            }
        } catch (Exception | StackOverflowError error) {
            measured.put("error", describe(error));
        }
        return measured;
    }

    private static Graph readMerged(List<Path> data) {
        Graph merged = GraphFactory.createDefaultGraph();
        for (Path path : data) {
            RDFParser.source(path).lang(Lang.NQUADS).parse(new StreamRDFBase() {
                @Override
                public void triple(Triple triple) {
                    merged.add(triple);
                }

                @Override
                public void quad(Quad quad) {
                    merged.add(quad.asTriple());
                }
            });
        }
        return merged;
    }

    private static long countQuads(DatasetGraph dataset) {
        long count = 0;
        for (var quads = dataset.find(); quads.hasNext(); quads.next()) count++;
        return count;
    }

    private static List<Entry> readManifest(Path manifest) throws IOException {
        List<Entry> entries = new ArrayList<>();
        int line = 0;
        for (String row : Files.readAllLines(manifest, StandardCharsets.UTF_8)) {
            line++;
            if (row.isBlank()) continue;
            String[] fields = row.split("\t");
            if (fields.length != 3 || fields[2].contains("/")) {
                throw new IllegalArgumentException(manifest + ":" + line
                        + ": expected id TAB query file TAB result file name");
            }
            String text = Files.readString(Paths.get(fields[1]), StandardCharsets.UTF_8);
            entries.add(new Entry(fields[0], text, fields[2]));
        }
        return entries;
    }

    private static Arguments parse(String[] argv) {
        Arguments arguments = new Arguments();
        for (int i = 0; i < argv.length; i++) {
            String name = argv[i];
            if (i + 1 >= argv.length) throw new IllegalArgumentException(name + " needs a value");
            String value = argv[++i];
            switch (name) {
                case "--data": arguments.data.add(Paths.get(value)); break;
                case "--shacl": {
                    int equals = value.indexOf('=');
                    if (equals < 1) throw new IllegalArgumentException("--shacl needs NAME=FILE,FILE...");
                    List<Path> files = new ArrayList<>();
                    for (String file : value.substring(equals + 1).split(",")) files.add(Paths.get(file));
                    arguments.shapes.put(value.substring(0, equals), files);
                    break;
                }
                case "--queries": arguments.queries = Paths.get(value); break;
                case "--out": arguments.out = Paths.get(value); break;
                case "--modes": {
                    arguments.modes = new ArrayList<>();
                    for (String mode : value.split(",")) if (!mode.isEmpty()) arguments.modes.add(mode);
                    break;
                }
                case "--repeat": arguments.repeat = Integer.parseInt(value); break;
                case "--warm-up": arguments.warmUp = Integer.parseInt(value); break;
                case "--timeout": arguments.timeoutSeconds = Long.parseLong(value); break;
                default: throw new IllegalArgumentException("unknown option " + name);
            }
        }
        if (arguments.data.isEmpty() || arguments.queries == null || arguments.out == null) {
            throw new IllegalArgumentException("--data, --queries and --out are required");
        }
        if (arguments.repeat < 1) throw new IllegalArgumentException("--repeat must be at least 1");
        return arguments;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int middle = sorted.size() / 2;
        return sorted.size() % 2 == 1 ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
    }

    private static long processCpuNanoseconds() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static double seconds(long nanoseconds) {
        return nanoseconds / 1e9;
    }

    /** The error's class and message, and where it was raised: enough to tell a refusal of the
     *  shapes or a query from a bug in this runner. */
    private static String describe(Throwable error) {
        StringBuilder text = new StringBuilder(error.getClass().getName());
        if (error.getMessage() != null) text.append(": ").append(error.getMessage());
        StackTraceElement[] where = error.getStackTrace();
        if (where.length > 0) text.append(" (at ").append(where[0]).append(")");
        for (Throwable cause = error.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            text.append("; caused by ").append(cause.getClass().getName()).append(": ").append(cause.getMessage());
        }
        return text.toString();
    }
}
