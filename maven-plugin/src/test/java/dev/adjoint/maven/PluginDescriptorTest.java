package dev.adjoint.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;

/**
 * What Maven and Eclipse read from the plugin's jar: the descriptor maven-plugin-plugin wrote from the
 * mojos' annotations, and the m2e lifecycle mapping.
 */
class PluginDescriptorTest {
  static Document xml(String resource) throws IOException, SAXException, ParserConfigurationException {
    try (InputStream in = PluginDescriptorTest.class.getResourceAsStream(resource)) {
      assertNotNull(in, resource + " is not on the class path");
      DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
      factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      return factory.newDocumentBuilder().parse(in);
    }
  }

  static String child(Element parent, String name) {
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && e.getTagName().equals(name)) return e.getTextContent().strip();
    }
    return null;
  }

  @Test
  void everyGoalIsThreadSafeAndBoundWhereItBelongs() throws Exception {
    Element plugin = xml("/META-INF/maven/plugin.xml").getDocumentElement();
    assertEquals("adjoint", child(plugin, "goalPrefix"));
    assertEquals("25", child(plugin, "requiredJavaVersion"));
    assertEquals("3.8.1", child(plugin, "requiredMavenVersion"));
    Map<String, String> phases = new LinkedHashMap<>();
    var mojos = plugin.getElementsByTagName("mojo");
    for (int i = 0; i < mojos.getLength(); i++) {
      Element mojo = (Element) mojos.item(i);
      assertEquals("true", child(mojo, "threadSafe"), child(mojo, "goal"));
      phases.put(child(mojo, "goal"), String.valueOf(child(mojo, "phase")));
    }
    assertEquals(Map.of("check", "validate", "generate", "generate-sources", "generate-test", "generate-test-sources",
        "help", "null"), phases);
  }

  @Test
  void eclipseRunsTheGeneratorsAndIgnoresTheCheck() throws Exception {
    Document mapping = xml("/META-INF/m2e/lifecycle-mapping-metadata.xml");
    var executions = mapping.getElementsByTagName("pluginExecution");
    List<String> actions = new ArrayList<>();
    for (int i = 0; i < executions.getLength(); i++) {
      Element e = (Element) executions.item(i);
      var goals = e.getElementsByTagName("goal");
      for (int g = 0; g < goals.getLength(); g++) {
        Element action = (Element) e.getElementsByTagName("action").item(0);
        Element what = (Element) action.getElementsByTagName("*").item(0);
        String detail = what.getTagName().equals("execute")
            ? " incremental=" + child(what, "runOnIncremental") + " configuration=" + child(what, "runOnConfiguration")
            : "";
        actions.add(goals.item(g).getTextContent().strip() + ": " + what.getTagName() + detail);
      }
    }
    assertEquals(List.of("generate: execute incremental=true configuration=true",
        "generate-test: execute incremental=true configuration=true", "check: ignore"), actions);
  }
}
