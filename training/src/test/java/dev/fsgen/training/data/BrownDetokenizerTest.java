package dev.fsgen.training.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class BrownDetokenizerTest {
  private static String detok(String tagged) {
    return BrownDetokenizer.detokenizeTagged(tagged);
  }

  @Test
  void firstSentenceOfTheCorpus() {
    // ca01, line 1
    assertEquals(
        "The Fulton County Grand Jury said Friday an investigation of Atlanta's recent primary election produced \"no evidence\" that any irregularities took place.",
        detok("The/at Fulton/np-tl County/nn-tl Grand/jj-tl Jury/nn-tl said/vbd Friday/nr an/at investigation/nn of/in Atlanta's/np$ recent/jj primary/nn election/nn produced/vbd ``/`` no/at evidence/nn ''/'' that/cs any/dti irregularities/nns took/vbd place/nn ./."));
  }

  @Test
  void quotesCommasAndAbbreviations() {
    // ca01
    assertEquals(
        "\"Only a relative handful of such reports was received\", the jury said, \"considering the widespread interest in the election\".",
        detok("``/`` Only/rb a/at relative/jj handful/nn of/in such/jj reports/nns was/bedz received/vbn ''/'' ,/, the/at jury/nn said/vbd ,/, ``/`` considering/in the/at widespread/jj interest/nn in/in the/at election/nn ''/'' ./."));
    assertEquals("won by Mayor-nominate Ivan Allen Jr.", detok("won/vbn by/in Mayor-nominate/nn-tl Ivan/np Allen/np Jr./np ./."));
  }

  @Test
  void fictionDialogue() {
    // ck01
    assertEquals("\"The blueberry pie is good, Scotty.", detok("``/`` The/at blueberry/nn pie/nn is/bez good/jj ,/, Scotty/np ./."));
    assertEquals("He said more loudly, \"I'm full, old Pop\".", detok("He/pps said/vbd more/ql loudly/rb ,/, ``/`` I'm/ppss+bem full/jj ,/, old/jj Pop/np ''/'' ./."));
    assertEquals(
        "Teachers -- men who wore brown suits -- came to their table; why?",
        detok("Teachers/nns --/-- men/nns who/wps wore/vbd brown/jj suits/nns --/-- came/vbd to/in their/pp$ table/nn ;/. why/wrb ?/."));
  }

  @Test
  void singleQuotesOpenAndClose() {
    // ca01 and ca16
    assertEquals(
        "with sufficient 'deductible' requirements",
        detok("with/in sufficient/jj '/' deductible/jj '/' requirements/nns"));
    assertEquals(
        "\"We are back with the 'Met' again\", she said",
        detok("``/`` We/ppss are/ber back/rb with/in the/at '/' Met/np '/' again/rb ''/'' ,/, she/pps said/vbd"));
    assertEquals("the 'national list'\", he said", detok("the/at '/' national/jj list/nn '/' ''/'' ,/, he/pps said/vbd"));
  }

  @Test
  void bracketsSlashesAndNumbers() {
    assertEquals("the fee (about $5) was paid", detok("the/at fee/nn (/( about/rb $5/nns )/) was/bedz paid/vbn"));
    assertEquals("counts/minute at 1-1/2 inches", detok("counts/nns //in minute/nn at/in 1-1/2/cd inches/nns"));
  }

  @Test
  void sentencesOfAParagraphJoinWithTheirPunctuation() {
    // cb03 headline, and a parenthesis closed at the start of the next sentence line
    assertEquals("Goodby, Mr. Sam. Sam Rayburn was a good man.", BrownCorpus.parseParagraphs(
        "\tGoodby/uh-hl ,/,-hl Mr./np-hl Sam/np-hl \n./.\nSam/np Rayburn/np was/bedz a/at good/jj man/nn ./.\n").get(0));
    assertEquals("(He left early.) Then it rained.", BrownCorpus.parseParagraphs(
        "\t(/( He/pps left/vbd early/rb ./.\n)/) Then/rb it/pps rained/vbd ./.\n").get(0));
    // a stray quote in one sentence leaves the next sentence's quotes alone
    assertEquals("'back with the Met \"We are back with the 'Met' again\"", BrownCorpus.parseParagraphs(
        "'/' back/rb-hl with/in-hl the/at-hl Met/np-hl \n``/`` We/ppss are/ber back/rb with/in the/at '/' Met/np '/' again/rb ''/''\n").get(0));
  }

  @Test
  void stripsTagsAtTheLastSlash() {
    assertEquals(List.of("1-1/2", "/", "Atlanta's", "``"), BrownDetokenizer.stripTags("\t1-1/2/cd //in Atlanta's/np$ ``/``  "));
  }

  @Test
  void paragraphsAreSeparatedByBlankLinesAndSentencesJoined() {
    String tagged = "\n\n\tThe/at jury/nn said/vbd ./.\nIt/pps agreed/vbd ./.\n\n\n\tNew/jj paragraph/nn ./.\n";
    assertEquals(List.of("The jury said. It agreed.", "New paragraph."), BrownCorpus.parseParagraphs(tagged));
  }
}
