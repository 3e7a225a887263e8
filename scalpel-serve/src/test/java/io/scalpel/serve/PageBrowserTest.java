package io.scalpel.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.scalpel.testdata.CaptureGenerator;
import io.scalpel.testdata.Generated;
import io.scalpel.testdata.GeneratorSpec;
import io.scalpel.testdata.TruthConn;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The page in a real headless Chromium (Debian's chromium and chromium-driver; skipped with a
 * message without them): a pasted conn.log line gives its connection's row with the service the log
 * says, the generator's packet count and a plot, and its download button gives the API's extract
 * byte for byte; a query for the same connection's flow lists it with the generator's packet count
 * and downloads them; a query that cannot be read shows its error. A
 * screenshot is saved to target/ on failure, and of the page that passed (docs/serve-page.png is one).
 */
@Tag("external")
class PageBrowserTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path DRIVER = Path.of("/usr/bin/chromedriver");

    @TempDir
    Path dir;

    @Test
    void shouldListPlotAndDownloadAPastedConnection() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER),
            "skipped: needs Debian's chromium and chromium-driver (" + CHROMIUM + ", " + DRIVER + "); .ci/run installs them");
        final Path capture = dir.resolve("trace.pcap");
        final Path log = dir.resolve("conn.log");
        final Generated truth = CaptureGenerator.generate(GeneratorSpec.defaults(21), capture, log);
        final TruthConn conn = truth.conns().stream().filter(c -> c.proto().equals("tcp") && truth.framesOf(c.uid()).size() > 4)
            .findFirst().orElseThrow();
        // the row's service, which the generator leaves unset, written in: the page shows it from the log
        final List<String> lines = new java.util.ArrayList<>(Files.readAllLines(log));
        final int at = lines.indexOf(lines.stream().filter(l -> l.contains(conn.uid())).findFirst().orElseThrow());
        final String[] fields = lines.get(at).split("\t", -1);
        fields[7] = "http";
        lines.set(at, String.join("\t", fields));
        Files.write(log, lines);
        final String line = lines.get(at);
        final Path downloads = Files.createDirectories(dir.resolve("downloads"));
        final ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile())
            .addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1900,900")
            .setExperimentalOption("prefs", Map.of("download.default_directory", downloads.toString(),
                "download.prompt_for_download", false));
        try (ServeFixture serve = new ServeFixture(capture, log)) {
            final ChromeDriver browser = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile())
                .build(), options);
            try {
                browser.get(serve.uri("/").toString());
                // pasted, as a paste does it: typing the line would move the focus at each tab
                browser.executeScript("arguments[0].value = arguments[1]", browser.findElement(By.id("pasted")), line);
                browser.findElement(By.id("find")).click();
                final WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(60));
                final WebElement row = wait.until(ExpectedConditions.presenceOfElementLocated(
                    By.cssSelector("tr[data-uid='" + conn.uid() + "']")));
                final List<WebElement> cells = row.findElements(By.tagName("td"));
                assertEquals(conn.uid(), cells.get(0).getText());
                assertEquals("http", cells.get(3).getText(), "the row's service, from the log");
                assertEquals(String.valueOf(truth.framesOf(conn.uid()).size()), cells.get(8).getText(), "the generator's packets");
                final WebElement plot = cells.get(10).findElement(By.cssSelector("[role='img']"));
                assertTrue(plot.getAttribute("aria-label").startsWith(truth.framesOf(conn.uid()).size() + " packets of " + conn.uid()),
                    plot.getAttribute("aria-label"));
                assertEquals(1, cells.get(10).findElements(By.tagName("canvas")).size(), "a drawn plot");
                final Path screenshot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
                Files.copy(screenshot, Path.of("target", "serve-page.png"), StandardCopyOption.REPLACE_EXISTING);
                cells.get(11).findElement(By.tagName("button")).click();
                final Path file = downloads.resolve("scalpel-" + conn.uid() + ".pcap");
                wait.until(d -> Files.exists(file) && !Files.exists(downloads.resolve(file.getFileName() + ".crdownload")));
                assertArrayEquals(ServeFixture.apiExtract(capture, log, List.of(conn.uid()), null, dir), Files.readAllBytes(file));

                // a query instead: the connection's flow, listed from the index with the generator's packets, downloadable
                browser.executeScript("arguments[0].value = ''", browser.findElement(By.id("pasted")));
                final WebElement query = browser.findElement(By.id("query"));
                query.sendKeys("tcp and host " + conn.origH() + " and port " + conn.origP() + " and host " + conn.respH()
                    + " and port " + conn.respP());
                browser.findElement(By.id("find")).click();
                final WebElement flow = wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("tr[data-uid='']")));
                final List<WebElement> flowCells = flow.findElements(By.tagName("td"));
                assertEquals(String.valueOf(truth.framesOf(conn.uid()).size()), flowCells.get(8).getText(), "the generator's packets");
                flowCells.get(11).findElement(By.tagName("button")).click();
                final Path flowFile = downloads.resolve("scalpel-1-flows.pcap");
                wait.until(d -> Files.exists(flowFile) && !Files.exists(downloads.resolve(flowFile.getFileName() + ".crdownload")));
                assertEquals(truth.framesOf(conn.uid()).size(), ServeFixture.pcapRecords(Files.readAllBytes(flowFile)));

                // a query that cannot be read: its error, and the caret at its column
                query.clear();
                query.sendKeys("tcp and port");
                browser.findElement(By.id("find")).click();
                wait.until(ExpectedConditions.attributeContains(By.id("status"), "class", "error"));
                assertTrue(browser.findElement(By.id("status")).getText().contains("column"),
                    browser.findElement(By.id("status")).getText());
            } catch (Exception | AssertionError e) {
                final Path shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
                Files.copy(shot, Path.of("target", "serve-page-failure.png"), StandardCopyOption.REPLACE_EXISTING);
                throw e;
            } finally {
                browser.quit();
            }
        }
    }
}
