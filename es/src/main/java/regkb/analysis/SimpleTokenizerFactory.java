package regkb.analysis;

import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.util.CharTokenizer;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.TokenizerFactory;

/** Splits on every non-alphanumeric character, exactly like tantivy's "simple" tokenizer, so both engines see the same tokens. */
@NamedComponent("regkb_simple")
public class SimpleTokenizerFactory implements TokenizerFactory {
    @Override
    public Tokenizer create() {
        return CharTokenizer.fromTokenCharPredicate(Character::isLetterOrDigit);
    }
}
